//! Module-level NumPy arrays, frozen at compile time (`hir::FrozenArray`).

use frontend::hir::FrozenArray;

use crate::func::FnLower;
use crate::ir::{Const, Inst};
use crate::values::ArrayVal;

impl FnLower<'_> {
    /// An array frozen at compile time: its address, extents and strides are
    /// constants. The one place such an array value is made.
    pub(crate) fn frozen_array(&mut self, array: &FrozenArray) -> ArrayVal {
        // Borrowed, as an argument's owner: the low bit tags it (`lower::lower`).
        let owner = self
            .b
            .emit(Inst::Const(Const::Addr(array.object as u64 | 1)));
        let data = self.b.emit(Inst::Const(Const::Addr(array.data as u64)));
        ArrayVal {
            owner,
            data,
            extents: array.shape.iter().map(|n| self.b.i64c(*n)).collect(),
            strides: array.strides.iter().map(|s| self.b.i64c(*s)).collect(),
        }
    }
}
