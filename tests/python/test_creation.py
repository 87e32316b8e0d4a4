"""Creating arrays from values: np.arange, np.linspace, np.eye, np.identity,
np.full_like, np.copy, np.asarray, np.array of list literals, a.astype, and
dtype objects held in variables. Each result must equal NumPy's: values (bit
for bit for floats), dtype and shape; errors have NumPy's type and message."""

import numpy as np
import pytest

import ferrojit
from ferrojit import jit


def same(got, expected):
    """The result equals NumPy's: values, dtype, shape, and the bits of floats."""
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert got.tobytes() == np.ascontiguousarray(expected).tobytes()


def same_error(f, *args):
    """`f` raises what its Python original raises, with the same message."""
    with pytest.raises(Exception) as expected:
        f.py_func(*args)
    with pytest.raises(expected.type) as got:
        f(*args)
    assert str(got.value) == str(expected.value)


# --- np.arange -------------------------------------------------------------


@jit
def arange1(n):
    return np.arange(n)


@jit
def arange2(a, b):
    return np.arange(a, b)


@jit
def arange3(a, b, c):
    return np.arange(a, b, c)


@jit
def arange_f32(a, b, c):
    return np.arange(a, b, c, dtype=np.float32)


@jit
def arange_int8(n):
    return np.arange(n, dtype="int8")


@jit
def arange_keywords(n):
    return np.arange(stop=n, step=2, start=1)


@pytest.mark.parametrize("n", [0, 1, 7, -3, np.int32(5), True])
def test_arange_one_argument(n):
    same(arange1(n), arange1.py_func(n))


@pytest.mark.parametrize("n", [2.5, 0.0, -1.5])
def test_arange_float_stop_is_float64(n):
    same(arange1(n), arange1.py_func(n))


@pytest.mark.parametrize(
    "args",
    [
        (0, 10, 1),
        (0, 10, 3),
        (10, 0, -3),
        (-5, 5, 2),
        (5, 5, 1),
        (5, 0, 1),
        (0.0, 1.0, 0.1),
        (1, 2, 0.3),
        (0.5, -3.2, -0.7),
        (-(2**62), 2**62, 2**61),
        (2**63 - 10, 2**63 - 1, 3),
        (-(2**63), -(2**63) + 5, 2),
        (1e15, 1e15 + 5, 0.5),
    ],
)
def test_arange_matches_numpy_bit_for_bit(args):
    same(arange3(*args), arange3.py_func(*args))


def test_arange_two_arguments():
    same(arange2(3, 8), arange2.py_func(3, 8))
    same(arange2(3, 8.5), arange2.py_func(3, 8.5))


@pytest.mark.parametrize("args", [(0, 1, 0.1), (0.0, 3.0, 0.3), (-1, 1, 0.25)])
def test_arange_dtype_float32_computes_in_float32(args):
    same(arange_f32(*args), arange_f32.py_func(*args))


def test_arange_dtype_by_name_and_keywords():
    same(arange_int8(100), arange_int8.py_func(100))
    same(arange_keywords(10), arange_keywords.py_func(10))


@jit
def arange_int_dtype_float_step():
    return np.arange(0, 5, 0.5, dtype=np.int64)


def test_arange_casts_its_first_two_values_as_numpy():
    # NumPy's delta is int(0.5) - int(0) == 0: all zeros.
    same(arange_int_dtype_float_step(), arange_int_dtype_float_step.py_func())


@pytest.mark.parametrize(
    "args",
    [
        (0, 1, 0),
        (0.0, 1.0, 0.0),
        (0, 5, 0.0),
        (0.0, float("inf"), 1.0),
        (0.0, -float("inf"), -1.0),
        (0.0, float("nan"), 1.0),
        (0.0, 1e300, 1.0),
        (0, 2**62, 1),
        # a length below -2**63 is out of range too, not empty (found by the fuzzer)
        (0.0, -1e308, 1.0),
        (0.0, 5, -1e-320),
        (0.0, 2.0, -5e-324),
        # and for integers (fuzz finding 608:7203)
        (2**63 - 1, -(2**63 - 1), 1),
        (-(2**63 - 1), 2**63 - 1, -1),
    ],
)
def test_arange_errors(args):
    same_error(arange3, *args)


def test_an_empty_integer_arange_whose_float_length_rounds_into_range_is_empty():
    # NumPy divides in floats: (-2**63 - 1) / 1 rounds to -2**63, which fits (fuzz 608:2641).
    for args in [(1, -(2**63), 1), (0, -(2**63), 1)]:
        assert arange3(*args).tolist() == np.arange(*args).tolist() == []


# --- np.linspace -----------------------------------------------------------


@jit
def linspace(a, b, n):
    return np.linspace(a, b, n)


@jit
def linspace_open(a, b, n):
    return np.linspace(a, b, n, endpoint=False)


@jit
def linspace_default(a, b):
    return np.linspace(a, b)


@jit
def linspace_int(a, b, n):
    return np.linspace(a, b, n, dtype=np.int64)


@jit
def linspace_negative():
    return np.linspace(0.0, 1.0, -1)


@pytest.mark.parametrize(
    "args",
    [
        (0.0, 1.0, 5),
        (0, 10, 7),
        (1.5, -2.25, 11),
        (0.0, 1.0, 1),
        (0.0, 1.0, 0),
        (3.0, 3.0, 4),
        (1e-300, 1e-300 * (1 + 2**-52), 6),
        (-1e308, 1e308, 9),
        (np.float32(0), np.float32(1), 7),
        (np.int32(2), 9, 4),
    ],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_linspace_matches_numpy_bit_for_bit(args):
    same(linspace(*args), linspace.py_func(*args))
    same(linspace_open(*args), linspace_open.py_func(*args))


@jit
def linspace_weak_stop(x):
    return np.linspace(x, 2.0, 3)


def test_linspace_of_float32_and_python_float_is_float32():
    # A literal is a weak Python float (an argument 2.0 would be float64).
    x = np.float32(0.1)
    same(linspace_weak_stop(x), linspace_weak_stop.py_func(x))


def test_linspace_defaults_and_integer_dtype():
    same(linspace_default(-2.0, 3.0), linspace_default.py_func(-2.0, 3.0))
    same(linspace_int(0, 10, 5), linspace_int.py_func(0, 10, 5))
    same(linspace_int(-3.5, 3.5, 8), linspace_int.py_func(-3.5, 3.5, 8))


def test_linspace_negative_num():
    same_error(linspace_negative)


def test_linspace_negative_num_known_at_run_time():
    # A run-time count is not in the message (no formatted runtime messages yet).
    with pytest.raises(ValueError, match="^Number of samples must be non-negative.$"):
        linspace(0.0, 1.0, -2)


# --- np.eye, np.identity ----------------------------------------------------


@jit
def eye(n, m, k):
    return np.eye(n, m, k)


@jit
def eye_square(n):
    return np.eye(n, dtype=np.int32)


@jit
def eye_keywords(n):
    return np.eye(n, M=None, k=-1)


@jit
def identity(n):
    return np.identity(n)


@pytest.mark.parametrize(
    "args", [(3, 3, 0), (3, 2, -1), (2, 4, 1), (3, 3, 5), (3, 3, -5), (0, 0, 0), (1, 4, 3)]
)
def test_eye(args):
    same(eye(*args), eye.py_func(*args))


def test_eye_defaults_and_identity():
    same(eye_square(4), eye_square.py_func(4))
    same(eye_keywords(3), eye_keywords.py_func(3))
    same(identity(5), identity.py_func(5))
    same(identity(0), identity.py_func(0))


def test_eye_negative_dimension():
    same_error(eye, -1, 2, 0)
    same_error(identity, -2)


# --- np.full_like, np.copy, np.asarray, np.array, a.astype ---------------------


@jit
def full_like(a):
    return np.full_like(a, 2.75)


@jit
def full_like_dtype(a):
    return np.full_like(a, 7, dtype=np.int16)


@jit
def np_copy(a):
    return np.copy(a)


@jit
def array_copy(a):
    return np.array(a)


@jit
def array_of_dtype(a):
    return np.array(a, dtype=np.float32)


@jit
def astype_int32(a):
    return a.astype(np.int32)


@jit
def astype_float(a):
    return a.astype(float)


@jit
def astype_bool(a):
    return a.astype(np.bool_)


def layouts():
    base = np.arange(24.0).reshape(4, 6) - 7.5
    return {
        "C": base,
        "F": np.asfortranarray(base),
        "strided": base[::2, 1::2],
        "negative": base[::-1, ::-2],
        "empty": base[:0],
    }


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative", "empty"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int8, np.uint16, np.bool_])
def test_copies_and_conversions_on_every_layout(layout, dtype):
    a = layouts()[layout].astype(dtype)
    for f in (full_like, full_like_dtype, np_copy, array_copy, array_of_dtype, astype_int32, astype_float, astype_bool):
        if f is full_like and dtype == np.bool_:
            continue
        got = f(a)
        same(got, f.py_func(a))
        assert not np.shares_memory(got, a)


@jit
def copies_of_contiguous_views(a, i):
    return a.copy(), a[i].copy(), a[1:3].copy(), np.copy(a[i, 1:])


def test_a_c_contiguous_array_or_view_is_copied_in_memory_order():
    # One flat loop over the elements (`lower::FnLower::copy_flat`).
    a = np.arange(60.0).reshape(3, 4, 5)
    # NumPy calls an array C-contiguous whatever the stride of a length-1 axis.
    b = np.lib.stride_tricks.as_strided(a, shape=(3, 1, 20), strides=(160, 12345, 8))
    assert b.flags.c_contiguous
    for x in (a, b, a[:, :0], a.astype(np.int8), a > 20):
        got, want = copies_of_contiguous_views(x, 0), copies_of_contiguous_views.py_func(x, 0)
        for g, w in zip(got, want):
            same(g, w)
            assert g.flags.c_contiguous and not np.shares_memory(g, x)


def test_astype_truncates_floats_toward_zero():
    a = np.array([1.9, -1.9, 2.5, -0.5, 1e3])
    same(astype_int32(a), astype_int32.py_func(a))


@jit
def asarray_writes_through(a):
    b = np.asarray(a)
    b[0] = 99.0
    return b[1]


@jit
def asarray_other_dtype(a):
    return np.asarray(a, dtype=np.int64)


def test_asarray_of_an_array_is_that_array():
    a = np.arange(3.0)
    assert asarray_writes_through(a) == 1.0
    assert a[0] == 99.0
    same(asarray_other_dtype(a), asarray_other_dtype.py_func(a))


@jit
def literal_2d():
    return np.array([[1, 2.5], [3, 4]])


@jit
def literal_mixed(x):
    return np.array([x, 2, True])


@jit
def literal_bools():
    return np.array([True, False])


@jit
def literal_typed(x):
    return np.array([x, 2.0])


@jit
def literal_dtype():
    return np.array([1, 2, 3], dtype=np.uint8)


@jit
def literal_tuple(n):
    return np.array((n, n + 1))


@jit
def literal_3d():
    return np.array([[[1], [2]], [[3], [4]]])


@jit
def asarray_literal():
    return np.asarray([1.5, 2.5])


@pytest.mark.parametrize(
    "f, args",
    [
        (literal_2d, ()),
        (literal_mixed, (3,)),
        (literal_mixed, (3.5,)),
        (literal_bools, ()),
        (literal_typed, (np.float32(1.5),)),
        (literal_typed, (np.int8(3),)),
        (literal_dtype, ()),
        (literal_tuple, (4,)),
        (literal_3d, ()),
        (asarray_literal, ()),
    ],
)
def test_array_of_literal_has_numpy_dtype_and_shape(f, args):
    same(f(*args), f.py_func(*args))


def test_ragged_literal_is_a_compile_error():
    @jit
    def ragged():
        return np.array([[1, 2], [3]])

    with pytest.raises(ferrojit.TypingError, match="rectangular sequence of numbers"):
        ragged()


# --- dtype values ------------------------------------------------------------


@jit
def dtype_in_variable(n):
    dt = np.float32
    return np.zeros(n, dt)


@jit
def dtype_of_argument(a, n):
    return np.ones(n, dtype=a.dtype)


@jit
def dtype_variable_of_argument(a, n):
    dt = a.dtype
    return np.arange(n, dtype=dt)


@pytest.mark.parametrize("spelling", ["float32", "f4", np.float32, "int16", np.uint8, float, int, bool])
def test_every_dtype_spelling_works_for_empty(spelling):
    @jit
    def make(n):
        return np.empty(n, dtype=spelling)

    assert make(3).dtype == np.empty(3, dtype=spelling).dtype


def test_dtype_values():
    same(dtype_in_variable(3), dtype_in_variable.py_func(3))
    for dt in (np.int8, np.float32, np.complex128):
        a = np.zeros(2, dt)
        same(dtype_of_argument(a, 4), dtype_of_argument.py_func(a, 4))
    a = np.zeros(2, np.int16)
    same(dtype_variable_of_argument(a, 5), dtype_variable_of_argument.py_func(a, 5))


def test_unknown_keyword_is_a_compile_error():
    @jit
    def bad(n):
        return np.arange(n, order="C")

    with pytest.raises(ferrojit.TypingError, match="does not accept `order=`"):
        bad(3)


def _empty_like(a):
    return np.empty_like(a)


def _zeros_like_int(a):
    return np.zeros_like(a, dtype=np.int32)


def _full_like(a):
    return np.full_like(a, 2.5)


def _np_copy(a):
    return np.copy(a)


def _np_array(a):
    return np.array(a)


def _astype(a):
    return a.astype(np.float32)


def _method_copy(a):
    return a.copy()


@pytest.mark.parametrize("make", [_empty_like, _zeros_like_int, _full_like, _np_copy, _np_array, _astype, _method_copy])
@pytest.mark.parametrize("order", ["C", "F"])
def test_new_arrays_like_another_keep_its_order_as_numpy(make, order):
    a = np.asarray(np.arange(12.0).reshape(3, 4), order=order)
    got, want = jit(make)(a), make(a)
    assert got.strides == want.strides and got.dtype == want.dtype
    if make is not _empty_like:
        np.testing.assert_array_equal(got, want)


def test_failed_allocations_give_numpys_message():
    """Fuzz finding 95:2061: NumPy's MemoryError names the size (in its binary units), the
    shape and the dtype: `Unable to allocate 8.00 TiB for an array with shape
    (1099511627776,) and data type float64`."""

    @jit
    def empty(n):
        return np.empty(n)

    @jit
    def zeros_int8(n, m):
        return np.zeros((n, m), dtype=np.int8)

    @jit
    def ones_complex64(n):
        return np.ones(n, dtype=np.complex64)

    @jit
    def full_rows(n):
        return np.full((3, n), 1.5)

    @jit
    def arange(n):
        return np.arange(0.0, n)

    @jit
    def concatenated(n):
        a = np.empty(n // 2)
        return np.concatenate((a, a))

    for f, args in [(empty, (2**40,)), (zeros_int8, (2**20, 2**20)), (ones_complex64, (2**40,)),
                    (full_rows, (2**40,)), (arange, (2.0**40,)), (concatenated, (2**41,)),
                    (empty, (10 * 2**27,))]:
        try:
            f.py_func(*args)
        except MemoryError as e:
            want = str(e)
        else:
            continue  # this machine had the memory
        with pytest.raises(MemoryError) as e:
            f(*args)
        assert str(e.value) == want
