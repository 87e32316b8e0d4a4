//! Result slots -> Python objects. Scalars become Python's own `int`, `float`,
//! `bool` and `complex` (as Numba boxes them); arrays become NumPy arrays.

use std::ffi::c_int;

use codegen::runtime::{free_buffer, RuntimeContext};
use frontend::hir::Dtype;
use numpy::npyffi::{self, flags, npy_intp, PyArrayObject};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyCapsule, PyComplex, PyTuple};
use pyo3::IntoPyObjectExt;
use typeinfer::{ArrayType, Type};

use crate::args::{is_ndarray, type_num_of_dtype};
use crate::errors::internal_error;

/// A buffer allocated by compiled code and handed to a NumPy array; freed when
/// the array's base capsule is destroyed.
struct OwnedBuffer(*mut u8);

// SAFETY: the buffer is plain memory from the runtime's allocator, not tied to a thread.
unsafe impl Send for OwnedBuffer {}

impl Drop for OwnedBuffer {
    fn drop(&mut self) {
        // SAFETY: `keep_allocation` gave this pointer up to us, and only this drop frees it.
        unsafe { free_buffer(self.0) }
    }
}

/// Reads the entry's result slots in order.
struct SlotReader<'a> {
    slots: &'a [u64],
    pos: usize,
}

impl SlotReader<'_> {
    fn next(&mut self) -> PyResult<u64> {
        let slot = self
            .slots
            .get(self.pos)
            .copied()
            .ok_or_else(|| internal_error("result slots ended early"))?;
        self.pos += 1;
        Ok(slot)
    }
}

/// Everything a result may need besides its slots.
pub(crate) struct ResultContext<'a, 'py> {
    pub(crate) ctx: &'a mut RuntimeContext,
    /// The call's arguments: an array result that was not allocated in the call
    /// views one of them.
    pub(crate) args: &'a Bound<'py, PyTuple>,
    /// Arrays already made from buffers allocated in this call, so that
    /// `return a, a` shares one buffer instead of claiming it twice.
    pub(crate) made: Vec<(usize, Bound<'py, PyAny>)>,
}

pub(crate) fn box_result<'py>(
    py: Python<'py>,
    ty: &Type,
    slots: &[u64],
    rc: &mut ResultContext<'_, 'py>,
) -> PyResult<Py<PyAny>> {
    let mut reader = SlotReader { slots, pos: 0 };
    box_value(py, ty, &mut reader, rc)
}

fn box_value<'py>(
    py: Python<'py>,
    ty: &Type,
    reader: &mut SlotReader<'_>,
    rc: &mut ResultContext<'_, 'py>,
) -> PyResult<Py<PyAny>> {
    match ty {
        Type::None => Ok(py.None()),
        Type::Scalar(d) => box_scalar(py, *d, reader),
        Type::Tuple(items) => {
            let values = items
                .iter()
                .map(|t| box_value(py, t, reader, rc))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, values)?.into_any().unbind())
        }
        Type::Array(a) => box_array(py, a, reader, rc),
        Type::Opaque(_) => Err(internal_error(&format!(
            "a value of type {ty} was returned"
        ))),
    }
}

fn box_scalar(py: Python<'_>, d: Dtype, reader: &mut SlotReader<'_>) -> PyResult<Py<PyAny>> {
    let s = reader.next()?;
    // Narrow values sit in the low bytes of their slot; the rest is not meaningful.
    match d {
        Dtype::Bool => Ok(PyBool::new(py, s as u8 != 0).to_owned().into_any().unbind()),
        Dtype::Int8 => (s as u8 as i8 as i64).into_py_any(py),
        Dtype::Int16 => (s as u16 as i16 as i64).into_py_any(py),
        Dtype::Int32 => (s as u32 as i32 as i64).into_py_any(py),
        Dtype::Int64 => (s as i64).into_py_any(py),
        Dtype::UInt8 => (s as u8 as u64).into_py_any(py),
        Dtype::UInt16 => (s as u16 as u64).into_py_any(py),
        Dtype::UInt32 => (s as u32 as u64).into_py_any(py),
        Dtype::UInt64 => s.into_py_any(py),
        Dtype::Float32 => (f32::from_bits(s as u32) as f64).into_py_any(py),
        Dtype::Float64 => f64::from_bits(s).into_py_any(py),
        Dtype::Complex64 => {
            let im = reader.next()?;
            let (re, im) = (
                f32::from_bits(s as u32) as f64,
                f32::from_bits(im as u32) as f64,
            );
            Ok(PyComplex::from_doubles(py, re, im).into_any().unbind())
        }
        Dtype::Complex128 => {
            let im = reader.next()?;
            Ok(
                PyComplex::from_doubles(py, f64::from_bits(s), f64::from_bits(im))
                    .into_any()
                    .unbind(),
            )
        }
    }
}

fn box_array<'py>(
    py: Python<'py>,
    a: &ArrayType,
    reader: &mut SlotReader<'_>,
    rc: &mut ResultContext<'_, 'py>,
) -> PyResult<Py<PyAny>> {
    let data = reader.next()? as *mut u8;
    let nd = a.ndim as usize;
    let mut dims = Vec::with_capacity(nd);
    for _ in 0..nd {
        dims.push(reader.next()? as npy_intp);
    }
    let mut strides = Vec::with_capacity(nd);
    for _ in 0..nd {
        strides.push(reader.next()? as npy_intp);
    }
    if rc.ctx.keep_allocation(data) {
        let owner = PyCapsule::new_with_value(py, OwnedBuffer(data), c"ferrojit.buffer")?;
        let array = new_array(
            py,
            a.dtype,
            &mut dims,
            &mut strides,
            data,
            true,
            owner.into_any(),
        )?;
        rc.made.push((data as usize, array.clone()));
        return Ok(array.unbind());
    }
    if let Some((_, earlier)) = rc.made.iter().find(|(p, _)| *p == data as usize) {
        let base = earlier.clone();
        return Ok(new_array(py, a.dtype, &mut dims, &mut strides, data, true, base)?.unbind());
    }
    if let Some((base, writable)) = find_owner(rc.args.as_any(), data) {
        return Ok(new_array(py, a.dtype, &mut dims, &mut strides, data, writable, base)?.unbind());
    }
    if dims.contains(&0) {
        // An empty array owns no memory worth tracking: let NumPy allocate its own.
        return Ok(empty_array(py, a.dtype, &mut dims)?.unbind());
    }
    Err(internal_error(
        "a returned array's memory was neither allocated in the call nor part of an argument",
    ))
}

/// The argument array (searched through tuples) whose memory holds `data`, and whether it is writable.
fn find_owner<'py>(obj: &Bound<'py, PyAny>, data: *mut u8) -> Option<(Bound<'py, PyAny>, bool)> {
    if is_ndarray(obj.as_ptr()) {
        // SAFETY: `obj` is an ndarray, so it has NumPy's array layout.
        let fields = unsafe { &(*(obj.as_ptr() as *mut PyArrayObject)).fields };
        let itemsize = obj.getattr("itemsize").ok()?.extract::<isize>().ok()?;
        let (mut lo, mut hi) = (fields.data as isize, fields.data as isize + itemsize);
        for i in 0..fields.nd as usize {
            // SAFETY: `dimensions` and `strides` have `nd` entries.
            let (n, s) = unsafe { (*fields.dimensions.add(i), *fields.strides.add(i)) };
            if n == 0 {
                return None;
            }
            let reach = (n - 1) * s;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        let p = data as isize;
        return (lo <= p && p < hi)
            .then(|| (obj.clone(), fields.flags & flags::NPY_ARRAY_WRITEABLE != 0));
    }
    let tuple = obj.cast::<PyTuple>().ok()?;
    tuple.iter().find_map(|item| find_owner(&item, data))
}

fn new_array<'py>(
    py: Python<'py>,
    dtype: Dtype,
    dims: &mut [npy_intp],
    strides: &mut [npy_intp],
    data: *mut u8,
    writable: bool,
    base: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let api = &npyffi::PY_ARRAY_API;
    // SAFETY: `data` with `dims`/`strides` describes live memory of `dtype`
    // elements, kept alive by `base`, which the new array holds.
    unsafe {
        let array_type = npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type);
        let descr = api.PyArray_DescrFromType(py, type_num_of_dtype(dtype) as c_int);
        let flags = if writable {
            flags::NPY_ARRAY_WRITEABLE
        } else {
            0
        };
        let array = api.PyArray_NewFromDescr(
            py,
            array_type,
            descr,
            dims.len() as c_int,
            dims.as_mut_ptr(),
            strides.as_mut_ptr(),
            data.cast(),
            flags,
            std::ptr::null_mut(),
        );
        let array = Bound::from_owned_ptr_or_err(py, array)?;
        if api.PyArray_SetBaseObject(py, array.as_ptr() as *mut PyArrayObject, base.into_ptr()) != 0
        {
            return Err(PyErr::fetch(py));
        }
        Ok(array)
    }
}

fn empty_array<'py>(
    py: Python<'py>,
    dtype: Dtype,
    dims: &mut [npy_intp],
) -> PyResult<Bound<'py, PyAny>> {
    let api = &npyffi::PY_ARRAY_API;
    // SAFETY: NULL data and strides ask NumPy to allocate a C-ordered array itself.
    unsafe {
        let array_type = npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type);
        let descr = api.PyArray_DescrFromType(py, type_num_of_dtype(dtype) as c_int);
        let array = api.PyArray_NewFromDescr(
            py,
            array_type,
            descr,
            dims.len() as c_int,
            dims.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(py, array)
    }
}
