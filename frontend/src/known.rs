//! The names ferrojit knows: Python's builtins and the members of `math` and
//! `numpy`. This is the one table of them: the frontend resolves `module.attr`
//! with it, `pymod` builds its identity tables (`obj is np.sqrt`) from it, and
//! tests build their resolvers from it.

use library::Namespace;

use crate::hir::{
    AllocFn, Constant, CreateFn, Dtype, ExceptionKind, JoinFn, KnownFunction, KnownModule,
    LinalgFn, NonzeroFn, OperatorFn, SortFn, ViewFn,
};

/// What `module.attr` refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleMember {
    Function(KnownFunction),
    Constant(Constant),
    /// A submodule: `np.linalg`.
    Module(KnownModule),
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
    let sum = library::builtin_reduction("sum").map(|r| ("sum", KnownFunction::Reduce(r)));
    BUILTIN_FUNCTIONS.into_iter().chain(sum).chain(
        ExceptionKind::builtins()
            .iter()
            .copied()
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
        KnownModule::Math => library::functions(Namespace::Math)
            .map(|(name, f)| (name, KnownFunction::Library(f)))
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
                library::functions(Namespace::Numpy)
                    .map(|(name, f)| (name, KnownFunction::Library(f))),
            )
            .chain(library::numpy_reductions().map(|(name, r)| (name, KnownFunction::Reduce(r))))
            .chain(
                ViewFn::FUNCTIONS
                    .into_iter()
                    .map(|v| (v.name(), KnownFunction::View(v))),
            )
            .chain(
                LinalgFn::NUMPY
                    .into_iter()
                    .map(|l| (l.name(), KnownFunction::Linalg(l))),
            )
            .chain(
                SortFn::ALL
                    .into_iter()
                    .map(|f| (f.name(), KnownFunction::Sorting(f))),
            )
            .chain(
                JoinFn::ALL
                    .into_iter()
                    .map(|f| (f.name(), KnownFunction::Joining(f))),
            )
            .chain(
                NonzeroFn::ALL
                    .into_iter()
                    .map(|n| (n.name(), KnownFunction::Nonzero(n))),
            )
            .chain(
                OperatorFn::ALL
                    .into_iter()
                    .map(|(name, o)| (name, KnownFunction::Operator(o))),
            )
            .map(function)
            .chain(NUMPY_CONSTANTS.into_iter().map(constant))
            // `np.newaxis is None`: an index that adds an axis.
            .chain([("newaxis", ModuleMember::Constant(Constant::None))])
            .chain([("linalg", ModuleMember::Module(KnownModule::Linalg))])
            .collect(),
        KnownModule::Linalg => LinalgFn::LINALG
            .into_iter()
            .map(|l| (l.name(), KnownFunction::Linalg(l)))
            .map(function)
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
        .filter(|(_, member)| {
            !matches!(
                member,
                ModuleMember::Function(KnownFunction::Scalar(_)) | ModuleMember::Module(_)
            )
        })
        .map(|(name, _)| name)
        .collect();
    match module {
        KnownModule::Math | KnownModule::Linalg => format!("supported: {}", names.join(", ")),
        KnownModule::Numpy => format!(
            "supported: {}, and dtypes such as float64",
            names.join(", ")
        ),
    }
}

/// The Markdown table of every function `@jit` code may call from `math` and
/// NumPy, with the aliases of each; docs/language.md holds a copy that
/// `frontend/tests/api_table.rs` keeps equal.
pub fn api_table() -> String {
    let mut rows = vec![
        "| module | functions |".to_string(),
        "|---|---|".to_string(),
    ];
    for module in KnownModule::ALL {
        let mut groups: Vec<(KnownFunction, Vec<&str>)> = Vec::new();
        for (name, member) in module_members(module) {
            let ModuleMember::Function(f) = member else {
                continue;
            };
            match groups.iter_mut().find(|(g, _)| *g == f) {
                Some((_, names)) => names.push(name),
                None => groups.push((f, vec![name])),
            }
        }
        let (dtypes, functions): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|(f, _)| matches!(f, KnownFunction::Scalar(_)));
        let spelled = |(_, names): &(KnownFunction, Vec<&str>)| match names.as_slice() {
            [one] => format!("`{one}`"),
            [first, aliases @ ..] => format!("`{first}` ({})", aliases.join(", ")),
            [] => String::new(),
        };
        let list: Vec<String> = functions.iter().map(spelled).collect();
        rows.push(format!("| `{}` | {} |", module.name(), list.join(", ")));
        if !dtypes.is_empty() {
            let list: Vec<String> = dtypes.iter().map(spelled).collect();
            rows.push(format!(
                "| `{}` types | {} |",
                module.name(),
                list.join(", ")
            ));
        }
    }
    rows.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_and_math_functions_of_one_name_are_distinct() {
        // `np.floor` keeps integers and float32 where `math.floor` gives an int.
        let member = |module, name| match module_member(module, name) {
            Some(ModuleMember::Function(KnownFunction::Library(f))) => f,
            other => panic!("{name}: {other:?}"),
        };
        let (np_floor, math_floor) = (
            member(KnownModule::Numpy, "floor"),
            member(KnownModule::Math, "floor"),
        );
        assert_ne!(np_floor, math_floor);
        assert_eq!(np_floor.qualified_name(), "np.floor");
        assert_eq!(math_floor.qualified_name(), "math.floor");
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
