//! Result slots -> Python objects. Scalars become Python's own `int`, `float`,
//! `bool` and `complex` (as Numba boxes them); arrays become NumPy arrays.

use std::ffi::c_int;

use codegen::runtime::release_buffer;
use frontend::hir::Dtype;
use numpy::npyffi::{self, flags, npy_intp, PyArrayObject};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyTuple};
use pyo3::IntoPyObjectExt;
use typeinfer::{ArrayType, Type};

use crate::args::{dtype_of_type_num, is_ndarray, type_num_of_dtype};
use crate::errors::internal_error;

/// The name of the capsules that hold one reference to a buffer allocated by
/// compiled code, as the base object of the NumPy arrays made from it.
const BUFFER_CAPSULE: &std::ffi::CStr = c"ferrojit.buffer";

/// A capsule holding the slot's reference to `buffer`, released with it. A
/// plain `PyCapsule_New` with the buffer as its pointer: returning a small
/// array costs about a microsecond, and pyo3's boxed capsule value was one
/// more allocation and free of it.
fn buffer_capsule(py: Python<'_>, buffer: *mut u8) -> PyResult<Bound<'_, PyAny>> {
    unsafe extern "C" fn release(capsule: *mut ffi::PyObject) {
        // SAFETY: called by Python once, when the capsule made below dies.
        let buffer = unsafe { ffi::PyCapsule_GetPointer(capsule, BUFFER_CAPSULE.as_ptr()) };
        if !buffer.is_null() {
            // SAFETY: the capsule held the slot's reference, and only this releases it.
            unsafe { release_buffer(buffer.cast()) }
        }
    }
    // SAFETY: `buffer` is live and non-null (checked by the caller); the name is static.
    let capsule =
        unsafe { ffi::PyCapsule_New(buffer.cast(), BUFFER_CAPSULE.as_ptr(), Some(release)) };
    // SAFETY: a new reference or null with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, capsule) }.inspect_err(|_| {
        // SAFETY: no capsule took the slot's reference.
        unsafe { release_buffer(buffer) }
    })
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

/// The base objects made for the buffers of one result so far, so that
/// `return a, a[1:]` gives two arrays sharing one base.
#[derive(Default)]
pub(crate) struct ResultContext<'py> {
    bases: Vec<(usize, Bound<'py, PyAny>)>,
}

/// The Python value of a call's result slots, which hold one reference to the
/// owner of each array (see `lower::lower`).
pub(crate) fn box_result<'py>(py: Python<'py>, ty: &Type, slots: &[u64]) -> PyResult<Py<PyAny>> {
    let mut reader = SlotReader { slots, pos: 0 };
    box_value(py, ty, &mut reader, &mut ResultContext::default())
}

fn box_value<'py>(
    py: Python<'py>,
    ty: &Type,
    reader: &mut SlotReader<'_>,
    rc: &mut ResultContext<'py>,
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
    rc: &mut ResultContext<'py>,
) -> PyResult<Py<PyAny>> {
    let owner = reader.next()? as usize;
    let data = reader.next()? as *mut u8;
    // On the stack: two vectors were two allocations per array returned.
    let nd = a.ndim as usize;
    let (mut dim_buf, mut stride_buf) = ([0; MAX_NDIM], [0; MAX_NDIM]);
    let (Some(dims), Some(strides)) = (dim_buf.get_mut(..nd), stride_buf.get_mut(..nd)) else {
        return Err(internal_error(
            "a returned array has more dimensions than NumPy allows",
        ));
    };
    for d in dims.iter_mut() {
        *d = reader.next()? as npy_intp;
    }
    for s in strides.iter_mut() {
        *s = reader.next()? as npy_intp;
    }
    if owner & 1 == 1 {
        // A NumPy object the call borrowed (an argument): the very object
        // when the array is all of it, else a view whose base keeps it alive.
        // SAFETY: the caller holds the arguments, so the object is alive.
        let object =
            unsafe { Bound::from_borrowed_ptr(py, (owner & !1) as *mut pyo3::ffi::PyObject) };
        if is_whole(&object, a, data, dims, strides) {
            return Ok(object.unbind());
        }
        return Ok(new_array(py, a, dims, strides, data, object)?.unbind());
    }
    if owner == 0 {
        return Err(internal_error("a returned array has no owner"));
    }
    let base = match rc.bases.iter().find(|(b, _)| *b == owner) {
        Some((_, base)) => {
            // SAFETY: the slot's reference is ours; the base holds another.
            unsafe { release_buffer(owner as *mut u8) };
            base.clone()
        }
        None => {
            let base = buffer_capsule(py, owner as *mut u8)?;
            rc.bases.push((owner, base.clone()));
            base
        }
    };
    Ok(new_array(py, a, dims, strides, data, base)?.unbind())
}

/// NumPy's limit on an array's dimensions (`NPY_MAXDIMS` of NumPy 2).
const MAX_NDIM: usize = 64;

/// Whether `object` is an ndarray of exactly this type, data, shape and strides.
fn is_whole(
    object: &Bound<'_, PyAny>,
    a: &ArrayType,
    data: *mut u8,
    dims: &[npy_intp],
    strides: &[npy_intp],
) -> bool {
    if !is_ndarray(object.as_ptr()) {
        return false;
    }
    // SAFETY: `object` is an ndarray, so it has NumPy's array layout, and
    // `dimensions`/`strides` have `nd` entries.
    unsafe {
        let fields = &(*(object.as_ptr() as *mut PyArrayObject)).fields;
        let nd = fields.nd as usize;
        let type_num = (*fields.descr).fields.type_num;
        nd == dims.len()
            && fields.data as *mut u8 == data
            && dtype_of_type_num(type_num) == Some(a.dtype)
            && std::slice::from_raw_parts(fields.dimensions, nd) == dims
            && std::slice::from_raw_parts(fields.strides, nd) == strides
            && (fields.flags & flags::NPY_ARRAY_WRITEABLE != 0) == a.writable
    }
}

/// An array of type `a` over `data`, whose memory `base` keeps alive.
fn new_array<'py>(
    py: Python<'py>,
    a: &ArrayType,
    dims: &mut [npy_intp],
    strides: &mut [npy_intp],
    data: *mut u8,
    base: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (dtype, writable) = (a.dtype, a.writable);
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
