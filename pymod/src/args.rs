//! Argument values -> (dispatch key, argument slots), in one pass with raw
//! C-API checks: this is the hot path of every call.
//!
//! The key is a short run of `u32` codes, one per scalar/array and a header per
//! tuple, so it can be decoded back into `Type`s on a cache miss and compared
//! with a plain slice comparison on a hit.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

use frontend::hir::Dtype;
use numpy::npyffi::{self, flags, PyArrayObject, NPY_TYPES};
use pyo3::ffi;
use pyo3::prelude::*;
use typeinfer::{ArrayType, Layout, Type};

/// A vector that lives on the stack until it outgrows `N`.
pub(crate) struct InlineVec<T: Copy + Default, const N: usize> {
    inline: [T; N],
    len: usize,
    heap: Vec<T>,
}

impl<T: Copy + Default, const N: usize> InlineVec<T, N> {
    pub(crate) fn new() -> Self {
        InlineVec {
            inline: [T::default(); N],
            len: 0,
            heap: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        if self.len < N {
            self.inline[self.len] = value;
        } else {
            if self.len == N {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(value);
        }
        self.len += 1;
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        if self.len <= N {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

pub(crate) type KeyBuf = InlineVec<u32, 16>;
pub(crate) type SlotBuf = InlineVec<u64, 32>;

/// The most key codes (numbers, arrays and tuples) the arguments of one call
/// may have together: the bound typeinfer puts on a specialization's argument
/// types, checked here as well so that encoding a deeply nested tuple cannot
/// exhaust the native stack.
pub(crate) const MAX_KEY_CODES: usize = 1024;

const TAG_SHIFT: u32 = 24;
const TAG_SCALAR: u32 = 0;
const TAG_ARRAY: u32 = 1;
const TAG_TUPLE: u32 = 2;
/// `None`: a key code and no slot.
const CODE_NONE: u32 = 3 << TAG_SHIFT;

fn dtype_index(d: Dtype) -> u32 {
    match d {
        Dtype::Bool => 0,
        Dtype::Int8 => 1,
        Dtype::Int16 => 2,
        Dtype::Int32 => 3,
        Dtype::Int64 => 4,
        Dtype::UInt8 => 5,
        Dtype::UInt16 => 6,
        Dtype::UInt32 => 7,
        Dtype::UInt64 => 8,
        Dtype::Float32 => 9,
        Dtype::Float64 => 10,
        Dtype::Complex64 => 11,
        Dtype::Complex128 => 12,
    }
}

const fn scalar_code(d: u32) -> u32 {
    (TAG_SCALAR << TAG_SHIFT) | d
}
const CODE_BOOL: u32 = scalar_code(0);
const CODE_INT64: u32 = scalar_code(4);
const CODE_FLOAT64: u32 = scalar_code(10);
const CODE_COMPLEX128: u32 = scalar_code(12);

fn layout_index(l: Layout) -> u32 {
    match l {
        Layout::C => 0,
        Layout::F => 1,
        Layout::Any => 2,
    }
}

fn array_code(a: &ArrayType) -> u32 {
    (TAG_ARRAY << TAG_SHIFT)
        | dtype_index(a.dtype)
        | (a.ndim as u32) << 4
        | layout_index(a.layout) << 12
        | (a.writable as u32) << 14
}

/// The key of a list of types; equal to what `encode_arg` appends for values of those types.
pub(crate) fn key_of_types(types: &[Type]) -> Option<Box<[u32]>> {
    fn go(t: &Type, out: &mut Vec<u32>) -> Option<()> {
        match t {
            Type::Scalar(d) => out.push(scalar_code(dtype_index(*d))),
            Type::Array(a) => out.push(array_code(a)),
            Type::Tuple(items) => {
                out.push((TAG_TUPLE << TAG_SHIFT) | items.len() as u32);
                for item in items {
                    go(item, out)?;
                }
            }
            Type::None => out.push(CODE_NONE),
            Type::Opaque(_) => return None,
        }
        Some(())
    }
    let mut out = Vec::new();
    for t in types {
        go(t, &mut out)?;
    }
    Some(out.into_boxed_slice())
}

/// Inverse of the encoding: the argument types a key stands for.
pub(crate) fn types_of_key(key: &[u32]) -> Vec<Type> {
    fn go(key: &[u32], pos: &mut usize) -> Type {
        let code = key[*pos];
        *pos += 1;
        let low = code & ((1 << TAG_SHIFT) - 1);
        match code >> TAG_SHIFT {
            TAG_SCALAR => Type::Scalar(Dtype::ALL[low as usize]),
            TAG_ARRAY => Type::Array(ArrayType {
                dtype: Dtype::ALL[(low & 0xf) as usize],
                ndim: ((low >> 4) & 0xff) as u8,
                layout: [Layout::C, Layout::F, Layout::Any][((low >> 12) & 0x3) as usize],
                writable: (low >> 14) & 1 == 1,
            }),
            TAG_TUPLE => Type::Tuple((0..low).map(|_| go(key, pos)).collect()),
            _ => Type::None,
        }
    }
    let mut pos = 0;
    let mut types = Vec::new();
    while pos < key.len() {
        types.push(go(key, &mut pos));
    }
    types
}

/// Number of 8-byte slots a value of type `t` occupies (arguments and results).
pub(crate) fn slot_count(t: &Type) -> usize {
    match t {
        Type::Scalar(d) if d.is_complex() => 2,
        Type::Scalar(_) => 1,
        Type::Array(a) => 2 + 2 * a.ndim as usize,
        Type::Tuple(items) => items.iter().map(slot_count).sum(),
        Type::None | Type::Opaque(_) => 0,
    }
}

/// Type objects compared by address on the hot path, fetched once at import.
static NDARRAY_TYPE: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(std::ptr::null_mut());
static NUMPY_SCALAR_TYPES: OnceLock<Vec<(usize, Dtype)>> = OnceLock::new();

/// Looks up NumPy's array and scalar types; called from the module's init.
pub(crate) fn init(py: Python<'_>) -> PyResult<()> {
    let array_type = unsafe { npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type) };
    NDARRAY_TYPE.store(array_type, Ordering::Relaxed);
    let np = py.import("numpy")?;
    let mut scalars = Vec::new();
    for d in Dtype::ALL {
        // The type objects live as long as the numpy module, which is never unloaded.
        let ty = np.getattr(numpy_scalar_name(d))?;
        scalars.push((ty.as_ptr() as usize, d));
    }
    let _ = NUMPY_SCALAR_TYPES.set(scalars);
    Ok(())
}

/// The attribute of the numpy module that is the scalar type of `d`
/// (`np.bool` only exists from NumPy 2, `np.bool_` in every version).
pub(crate) fn numpy_scalar_name(d: Dtype) -> &'static str {
    match d {
        Dtype::Bool => "bool_",
        _ => d.name(),
    }
}

pub(crate) fn numpy_scalar_dtype(ty: *mut ffi::PyTypeObject) -> Option<Dtype> {
    let scalars = NUMPY_SCALAR_TYPES.get()?;
    scalars
        .iter()
        .find(|(p, _)| *p == ty as usize)
        .map(|(_, d)| *d)
}

/// Exactly `np.ndarray`: subclasses (masked arrays, `np.matrix`) give their data
/// a meaning that compiled code would silently ignore, so they are not arrays here.
pub(crate) fn is_ndarray(obj: *mut ffi::PyObject) -> bool {
    unsafe { ffi::Py_TYPE(obj) == NDARRAY_TYPE.load(Ordering::Relaxed) }
}

/// Why an argument could not be encoded.
pub(crate) enum EncodeError {
    /// Not a value ferrojit compiles; the text describes its type.
    Unsupported(String),
    /// A Python error is set (an int too large for int64).
    Python(PyErr),
    /// Tuples with more than `MAX_KEY_CODES` items in all, nested ones included.
    TooLarge,
}

pub(crate) fn dtype_of_type_num(type_num: i32) -> Option<Dtype> {
    let long_is_64 = std::mem::size_of::<libc::c_long>() == 8;
    Some(match type_num {
        n if n == NPY_TYPES::NPY_BOOL as i32 => Dtype::Bool,
        n if n == NPY_TYPES::NPY_BYTE as i32 => Dtype::Int8,
        n if n == NPY_TYPES::NPY_UBYTE as i32 => Dtype::UInt8,
        n if n == NPY_TYPES::NPY_SHORT as i32 => Dtype::Int16,
        n if n == NPY_TYPES::NPY_USHORT as i32 => Dtype::UInt16,
        n if n == NPY_TYPES::NPY_INT as i32 => Dtype::Int32,
        n if n == NPY_TYPES::NPY_UINT as i32 => Dtype::UInt32,
        n if n == NPY_TYPES::NPY_LONG as i32 => {
            if long_is_64 {
                Dtype::Int64
            } else {
                Dtype::Int32
            }
        }
        n if n == NPY_TYPES::NPY_ULONG as i32 => {
            if long_is_64 {
                Dtype::UInt64
            } else {
                Dtype::UInt32
            }
        }
        n if n == NPY_TYPES::NPY_LONGLONG as i32 => Dtype::Int64,
        n if n == NPY_TYPES::NPY_ULONGLONG as i32 => Dtype::UInt64,
        n if n == NPY_TYPES::NPY_FLOAT as i32 => Dtype::Float32,
        n if n == NPY_TYPES::NPY_DOUBLE as i32 => Dtype::Float64,
        n if n == NPY_TYPES::NPY_CFLOAT as i32 => Dtype::Complex64,
        n if n == NPY_TYPES::NPY_CDOUBLE as i32 => Dtype::Complex128,
        _ => return None,
    })
}

pub(crate) fn type_num_of_dtype(d: Dtype) -> NPY_TYPES {
    match d {
        Dtype::Bool => NPY_TYPES::NPY_BOOL,
        Dtype::Int8 => NPY_TYPES::NPY_BYTE,
        Dtype::Int16 => NPY_TYPES::NPY_SHORT,
        Dtype::Int32 => NPY_TYPES::NPY_INT,
        Dtype::Int64 => NPY_TYPES::NPY_LONGLONG,
        Dtype::UInt8 => NPY_TYPES::NPY_UBYTE,
        Dtype::UInt16 => NPY_TYPES::NPY_USHORT,
        Dtype::UInt32 => NPY_TYPES::NPY_UINT,
        Dtype::UInt64 => NPY_TYPES::NPY_ULONGLONG,
        Dtype::Float32 => NPY_TYPES::NPY_FLOAT,
        Dtype::Float64 => NPY_TYPES::NPY_DOUBLE,
        Dtype::Complex64 => NPY_TYPES::NPY_CFLOAT,
        Dtype::Complex128 => NPY_TYPES::NPY_CDOUBLE,
    }
}

/// Appends the key code(s) and slots of one argument.
///
/// # Safety
/// `obj` must be a valid object pointer and the GIL must be held.
pub(crate) unsafe fn encode_arg(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    key: &mut KeyBuf,
    slots: &mut SlotBuf,
) -> Result<(), EncodeError> {
    unsafe {
        let ty = ffi::Py_TYPE(obj);
        if ty == &raw mut ffi::PyFloat_Type {
            key.push(CODE_FLOAT64);
            slots.push(ffi::PyFloat_AsDouble(obj).to_bits());
            return Ok(());
        }
        if ty == &raw mut ffi::PyLong_Type {
            return encode_int(py, obj, key, slots);
        }
        if is_ndarray(obj) {
            return encode_array(py, obj as *mut PyArrayObject, key, slots);
        }
        if ty == &raw mut ffi::PyBool_Type {
            key.push(CODE_BOOL);
            slots.push((obj == ffi::Py_True()) as u64);
            return Ok(());
        }
        if obj == ffi::Py_None() {
            key.push(CODE_NONE);
            return Ok(());
        }
        if let Some(d) = numpy_scalar_dtype(ty) {
            return encode_numpy_scalar(py, obj, d, key, slots);
        }
        if ffi::PyTuple_Check(obj) != 0 {
            let n = ffi::PyTuple_Size(obj);
            if key.len() >= MAX_KEY_CODES || n as usize >= MAX_KEY_CODES {
                return Err(EncodeError::TooLarge);
            }
            key.push((TAG_TUPLE << TAG_SHIFT) | n as u32);
            for i in 0..n {
                encode_arg(py, ffi::PyTuple_GetItem(obj, i), key, slots)?;
            }
            if key.len() > MAX_KEY_CODES {
                return Err(EncodeError::TooLarge);
            }
            return Ok(());
        }
        // Subclasses of the builtin number types are numbers too, checked last
        // since the exact types above are what calls nearly always pass.
        if ffi::PyLong_Check(obj) != 0 {
            return encode_int(py, obj, key, slots);
        }
        if ffi::PyFloat_Check(obj) != 0 {
            key.push(CODE_FLOAT64);
            slots.push(ffi::PyFloat_AsDouble(obj).to_bits());
            return Ok(());
        }
        if ffi::PyComplex_Check(obj) != 0 {
            key.push(CODE_COMPLEX128);
            slots.push(ffi::PyComplex_RealAsDouble(obj).to_bits());
            slots.push(ffi::PyComplex_ImagAsDouble(obj).to_bits());
            return Ok(());
        }
        let bound = Bound::from_borrowed_ptr(py, obj);
        let name = bound
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "object".to_string());
        Err(EncodeError::Unsupported(name))
    }
}

unsafe fn encode_int(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    key: &mut KeyBuf,
    slots: &mut SlotBuf,
) -> Result<(), EncodeError> {
    let value = unsafe { ffi::PyLong_AsLongLong(obj) };
    if value == -1 {
        if let Some(err) = PyErr::take(py) {
            return Err(EncodeError::Python(err));
        }
    }
    key.push(CODE_INT64);
    slots.push(value as u64);
    Ok(())
}

unsafe fn encode_numpy_scalar(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    d: Dtype,
    key: &mut KeyBuf,
    slots: &mut SlotBuf,
) -> Result<(), EncodeError> {
    let mut raw = [0u8; 16];
    unsafe { npyffi::PY_ARRAY_API.PyArray_ScalarAsCtype(py, obj, raw.as_mut_ptr().cast()) };
    key.push(scalar_code(dtype_index(d)));
    push_raw_scalar(d, &raw, slots);
    Ok(())
}

/// Widens a value stored in NumPy's native representation to slot form:
/// signed ints sign-extended, unsigned zero-extended, complex split into two slots.
fn push_raw_scalar(d: Dtype, raw: &[u8; 16], slots: &mut SlotBuf) {
    let b8 = |i: usize| -> [u8; 8] { raw[i..i + 8].try_into().expect("8 bytes") };
    let b4 = |i: usize| -> [u8; 4] { raw[i..i + 4].try_into().expect("4 bytes") };
    let b2 = |i: usize| -> [u8; 2] { raw[i..i + 2].try_into().expect("2 bytes") };
    match d {
        Dtype::Bool => slots.push((raw[0] != 0) as u64),
        Dtype::Int8 => slots.push(raw[0] as i8 as i64 as u64),
        Dtype::UInt8 => slots.push(raw[0] as u64),
        Dtype::Int16 => slots.push(i16::from_ne_bytes(b2(0)) as i64 as u64),
        Dtype::UInt16 => slots.push(u16::from_ne_bytes(b2(0)) as u64),
        Dtype::Int32 => slots.push(i32::from_ne_bytes(b4(0)) as i64 as u64),
        Dtype::UInt32 | Dtype::Float32 => slots.push(u32::from_ne_bytes(b4(0)) as u64),
        Dtype::Int64 | Dtype::UInt64 | Dtype::Float64 => slots.push(u64::from_ne_bytes(b8(0))),
        Dtype::Complex64 => {
            slots.push(u32::from_ne_bytes(b4(0)) as u64);
            slots.push(u32::from_ne_bytes(b4(4)) as u64);
        }
        Dtype::Complex128 => {
            slots.push(u64::from_ne_bytes(b8(0)));
            slots.push(u64::from_ne_bytes(b8(8)));
        }
    }
}

unsafe fn encode_array(
    py: Python<'_>,
    arr: *mut PyArrayObject,
    key: &mut KeyBuf,
    slots: &mut SlotBuf,
) -> Result<(), EncodeError> {
    let fields = unsafe { &(*arr).fields };
    let descr = unsafe { &(*fields.descr).fields };
    let dtype = match dtype_of_type_num(descr.type_num) {
        Some(d) if descr.byteorder != b'>' as std::ffi::c_char => d,
        Some(_) => {
            return Err(EncodeError::Unsupported(
                "ndarray with non-native byte order".to_string(),
            ))
        }
        None => {
            let bound = unsafe { Bound::from_borrowed_ptr(py, arr.cast()) };
            let dtype = bound
                .getattr("dtype")
                .map(|d| d.to_string())
                .unwrap_or_else(|_| "?".to_string());
            return Err(EncodeError::Unsupported(format!(
                "ndarray of dtype {dtype}"
            )));
        }
    };
    let f = fields.flags;
    if f & flags::NPY_ARRAY_ALIGNED == 0 {
        return Err(EncodeError::Unsupported(
            "ndarray with unaligned data".to_string(),
        ));
    }
    let layout = if f & flags::NPY_ARRAY_C_CONTIGUOUS != 0 {
        Layout::C
    } else if f & flags::NPY_ARRAY_F_CONTIGUOUS != 0 {
        Layout::F
    } else {
        Layout::Any
    };
    let nd = fields.nd as usize;
    let ty = ArrayType {
        dtype,
        ndim: nd as u8,
        layout,
        writable: f & flags::NPY_ARRAY_WRITEABLE != 0,
    };
    key.push(array_code(&ty));
    // The owner of an argument is its object, tagged as borrowed (`lower::lower`).
    slots.push(arr as u64 | 1);
    slots.push(fields.data as u64);
    for i in 0..nd {
        slots.push(unsafe { *fields.dimensions.add(i) } as u64);
    }
    for i in 0..nd {
        slots.push(unsafe { *fields.strides.add(i) } as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trips_through_types() {
        let types = vec![
            Type::INT,
            Type::Array(ArrayType {
                dtype: Dtype::UInt16,
                ndim: 3,
                layout: Layout::F,
                writable: false,
            }),
            Type::Tuple(vec![
                Type::FLOAT,
                Type::Tuple(vec![Type::BOOL, Type::Scalar(Dtype::Complex64)]),
                Type::None,
            ]),
            Type::None,
            Type::Array(ArrayType {
                dtype: Dtype::Complex128,
                ndim: 0,
                layout: Layout::Any,
                writable: true,
            }),
        ];
        let key = key_of_types(&types).expect("encodable");
        assert_eq!(types_of_key(&key), types);
    }

    #[test]
    fn inline_vec_spills_to_the_heap_in_order() {
        let mut v: InlineVec<u64, 2> = InlineVec::new();
        for i in 0..5 {
            v.push(i);
        }
        assert_eq!(v.as_slice(), &[0, 1, 2, 3, 4]);
    }

    #[test]
    fn slot_counts_follow_the_abi() {
        let a2 = Type::Array(ArrayType {
            dtype: Dtype::Float64,
            ndim: 2,
            layout: Layout::C,
            writable: true,
        });
        // owner, data, two extents, two strides
        assert_eq!(slot_count(&a2), 6);
        assert_eq!(slot_count(&Type::Scalar(Dtype::Complex64)), 2);
        assert_eq!(slot_count(&Type::Tuple(vec![Type::INT, a2])), 7);
    }
}
