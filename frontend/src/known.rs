//! The names ferrojit knows: Python's builtins and the members of `math` and
//! `numpy`. This is the one table of them: the frontend resolves `module.attr`
//! with it, `pymod` builds its identity tables (`obj is np.sqrt`) from it, and
//! tests build their resolvers from it.

use crate::hir::{
    AllocFn, Constant, CreateFn, Dtype, ExceptionKind, KnownFunction, KnownModule, MathFn, ViewFn,
};

/// What `module.attr` refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleMember {
    Function(KnownFunction),
    Constant(Constant),
}

const BUILTIN_FUNCTIONS: [(&str, KnownFunction); 12] = [
    ("range", KnownFunction::Range),
    ("enumerate", KnownFunction::Enumerate),
    ("zip", KnownFunction::Zip),
    ("len", KnownFunction::Len),
    ("abs", KnownFunction::Abs),
    ("min", KnownFunction::Min),
    ("max", KnownFunction::Max),
    ("int", KnownFunction::Int),
    ("float", KnownFunction::Float),
    ("bool", KnownFunction::Bool),
    ("complex", KnownFunction::Complex),
    ("round", KnownFunction::Round),
];

/// The names in Python's `builtins` module ferrojit compiles: functions, and the
/// exception types a kernel may raise.
pub fn builtins() -> impl Iterator<Item = (&'static str, KnownFunction)> {
    BUILTIN_FUNCTIONS.into_iter().chain(
        ExceptionKind::ALL
            .into_iter()
            .map(|k| (k.name(), KnownFunction::Exception(k))),
    )
}

const MATH_CONSTANTS: [(&str, f64); 5] = [
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("tau", std::f64::consts::TAU),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

const NUMPY_CONSTANTS: [(&str, f64); 4] = [
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

/// NumPy functions that mean the same as a `math` function for scalars. `np.floor`,
/// `np.ceil` and `np.power` are left out on purpose: they return floats (or keep
/// ints) where `math.floor`/`math.ceil`/`math.pow` do not, so mapping them to
/// `MathFn` would change results.
const NUMPY_MATH: [(&str, MathFn); 14] = [
    ("sqrt", MathFn::Sqrt),
    ("exp", MathFn::Exp),
    ("log", MathFn::Log),
    ("log1p", MathFn::Log1p),
    ("expm1", MathFn::Expm1),
    ("sin", MathFn::Sin),
    ("cos", MathFn::Cos),
    ("tan", MathFn::Tan),
    ("tanh", MathFn::Tanh),
    ("arctan2", MathFn::Atan2),
    ("atan2", MathFn::Atan2),
    ("fabs", MathFn::Fabs),
    ("isnan", MathFn::IsNan),
    ("isinf", MathFn::IsInf),
];

/// `np.abs` keeps ints as ints, like the builtin `abs` and unlike `math.fabs`.
const NUMPY_ABS: [&str; 2] = ["abs", "absolute"];

/// NumPy's aliases of the dtypes in `Dtype`, beside their canonical names (`Dtype::name`).
const NUMPY_DTYPE_ALIASES: [(&str, Dtype); 17] = [
    ("bool_", Dtype::Bool),
    ("intp", Dtype::Int64),
    ("uintp", Dtype::UInt64),
    ("int_", Dtype::Int64),
    ("byte", Dtype::Int8),
    ("ubyte", Dtype::UInt8),
    ("short", Dtype::Int16),
    ("ushort", Dtype::UInt16),
    ("intc", Dtype::Int32),
    ("uintc", Dtype::UInt32),
    ("longlong", Dtype::Int64),
    ("ulonglong", Dtype::UInt64),
    ("single", Dtype::Float32),
    ("double", Dtype::Float64),
    ("csingle", Dtype::Complex64),
    ("cdouble", Dtype::Complex128),
    ("float_", Dtype::Float64),
];

/// Every member of `module` ferrojit compiles, by the name it has in the module.
/// Some exist only in some NumPy versions (`np.atan2` since 2.0, `np.float_` before).
pub fn module_members(module: KnownModule) -> impl Iterator<Item = (&'static str, ModuleMember)> {
    let function = |(name, f): (&'static str, KnownFunction)| (name, ModuleMember::Function(f));
    let constant =
        |(name, value): (&'static str, f64)| (name, ModuleMember::Constant(Constant::Float(value)));
    let members: Vec<(&'static str, ModuleMember)> = match module {
        KnownModule::Math => MathFn::ALL
            .into_iter()
            .map(|m| (m.name(), KnownFunction::Math(m)))
            .map(function)
            .chain(MATH_CONSTANTS.into_iter().map(constant))
            .collect(),
        KnownModule::Numpy => AllocFn::ALL
            .into_iter()
            .map(|a| (a.name(), KnownFunction::Alloc(a)))
            .chain(
                CreateFn::ALL
                    .into_iter()
                    .map(|c| (c.name(), KnownFunction::Create(c))),
            )
            .chain(
                Dtype::ALL
                    .into_iter()
                    .map(|d| (d.name(), KnownFunction::Scalar(d))),
            )
            .chain(
                NUMPY_DTYPE_ALIASES
                    .into_iter()
                    .map(|(name, d)| (name, KnownFunction::Scalar(d))),
            )
            .chain(
                NUMPY_MATH
                    .into_iter()
                    .map(|(name, m)| (name, KnownFunction::Math(m))),
            )
            .chain(NUMPY_ABS.into_iter().map(|name| (name, KnownFunction::Abs)))
            .chain(
                ViewFn::FUNCTIONS
                    .into_iter()
                    .map(|v| (v.name(), KnownFunction::View(v))),
            )
            .map(function)
            .chain(NUMPY_CONSTANTS.into_iter().map(constant))
            // `np.newaxis is None`: an index that adds an axis.
            .chain([("newaxis", ModuleMember::Constant(Constant::None))])
            .collect(),
    };
    members.into_iter()
}

pub(crate) fn module_member(module: KnownModule, attr: &str) -> Option<ModuleMember> {
    module_members(module).find_map(|(name, member)| (name == attr).then_some(member))
}

/// The help of an unsupported `module.attr`: what the module does offer.
pub(crate) fn supported_members(module: KnownModule) -> String {
    // The dtypes and their aliases would drown the functions; one example stands for them.
    let names: Vec<&str> = module_members(module)
        .filter(|(_, member)| !matches!(member, ModuleMember::Function(KnownFunction::Scalar(_))))
        .map(|(name, _)| name)
        .collect();
    match module {
        KnownModule::Math => format!("supported: {}", names.join(", ")),
        KnownModule::Numpy => format!(
            "supported: {}, and dtypes such as float64",
            names.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_floor_ceil_and_power_are_not_math_functions() {
        for name in ["floor", "ceil", "power"] {
            assert_eq!(module_member(KnownModule::Numpy, name), None, "np.{name}");
        }
        assert_eq!(
            module_member(KnownModule::Math, "floor"),
            Some(ModuleMember::Function(KnownFunction::Math(MathFn::Floor)))
        );
    }

    #[test]
    fn every_name_is_listed_once_per_namespace() {
        let mut builtins: Vec<&str> = builtins().map(|(name, _)| name).collect();
        let count = builtins.len();
        builtins.sort();
        builtins.dedup();
        assert_eq!(builtins.len(), count);
        for module in KnownModule::ALL {
            let mut names: Vec<&str> = module_members(module).map(|(name, _)| name).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{module:?}");
        }
    }
}
