//! The frontend's diagnostic codes, E0100-E0199. One code per family of
//! problems; the message says which construct it is.

pub(crate) const SYNTAX: &str = "E0100";
pub(crate) const PARAMETER: &str = "E0101";
pub(crate) const UNDEFINED_NAME: &str = "E0102";
pub(crate) const TRY: &str = "E0103";
pub(crate) const WITH: &str = "E0104";
pub(crate) const GENERATOR: &str = "E0105";
pub(crate) const NESTED_DEFINITION: &str = "E0106";
pub(crate) const STATEMENT: &str = "E0107";
pub(crate) const EXPRESSION: &str = "E0108";
pub(crate) const OPERATOR: &str = "E0109";
pub(crate) const SLICE: &str = "E0110";
pub(crate) const LOOP: &str = "E0111";
pub(crate) const UNSUPPORTED_GLOBAL: &str = "E0112";
pub(crate) const NOT_A_VALUE: &str = "E0113";
pub(crate) const MODULE_ATTRIBUTE: &str = "E0114";
pub(crate) const INTEGER_RANGE: &str = "E0115";
pub(crate) const RAISE: &str = "E0116";
pub(crate) const ASSIGN_TARGET: &str = "E0117";
pub(crate) const CALL_FORM: &str = "E0118";
pub(crate) const EXCEPTION_VALUE: &str = "E0119";
pub(crate) const NESTING: &str = "E0120";
pub(crate) const NOT_ONE_FUNCTION: &str = "E0199";
