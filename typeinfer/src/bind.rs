//! Binding a call's arguments to a `@jit` function's parameters, as CPython
//! does (positional, keyword, keyword-only, defaults), with CPython's messages.

use frontend::hir::{Constant, ExprId, Function, Keyword};

/// Where a parameter's value comes from in one call.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArg {
    /// The value of this argument expression (positional or keyword).
    Expr(ExprId),
    /// The parameter's default value.
    Default(Constant),
}

/// One `CallArg` per parameter of `callee`, or CPython's `TypeError` message.
pub(crate) fn bind(
    callee: &Function,
    args: &[ExprId],
    kwargs: &[Keyword],
) -> Result<Vec<CallArg>, String> {
    let sig = &callee.signature;
    let names: Vec<&str> = callee
        .params
        .iter()
        .map(|p| callee.local(*p).name.as_str())
        .collect();
    let has_default: Vec<bool> = sig.defaults.iter().map(Option::is_some).collect();
    let keywords: Vec<&str> = kwargs.iter().map(|k| k.name.as_str()).collect();
    let params = Parameters {
        name: &callee.name,
        names: &names,
        positional_only: sig.positional_only,
        keyword_only: sig.keyword_only,
        has_default: &has_default,
    };
    Ok(bind_arguments(&params, args.len(), &keywords)?
        .into_iter()
        .zip(&sig.defaults)
        .map(|(given, default)| match (given, default) {
            (Given::Positional(i), _) => CallArg::Expr(args[i]),
            (Given::Keyword(k), _) => CallArg::Expr(kwargs[k].value),
            (Given::Default, d) => CallArg::Default(d.clone().unwrap_or(Constant::None)),
        })
        .collect())
}

/// A parameter list as binding sees it.
pub struct Parameters<'a> {
    /// The function's name, for the messages.
    pub name: &'a str,
    /// The positional parameters, then the keyword-only ones.
    pub names: &'a [&'a str],
    pub positional_only: usize,
    pub keyword_only: usize,
    /// One per parameter.
    pub has_default: &'a [bool],
}

/// Where a parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    /// The positional argument at this index.
    Positional(usize),
    /// The keyword argument at this index.
    Keyword(usize),
    Default,
}

/// Binds `positional` positional arguments and keyword arguments named
/// `keywords` to `params` as CPython does: one `Given` per parameter, or
/// CPython's `TypeError` message. pymod binds calls from Python with it,
/// typeinfer calls between `@jit` functions.
pub fn bind_arguments(
    params: &Parameters,
    positional: usize,
    keywords: &[&str],
) -> Result<Vec<Given>, String> {
    let Parameters {
        name,
        names,
        positional_only,
        keyword_only,
        has_default,
    } = *params;
    let n = names.len();
    let takes_positional = n - keyword_only;
    let mut bound: Vec<Option<Given>> = (0..n)
        .map(|i| (i < positional.min(takes_positional)).then_some(Given::Positional(i)))
        .collect();
    let mut positional_as_keyword = Vec::new();
    for (k, key) in keywords.iter().enumerate() {
        match names.iter().position(|p| p == key) {
            Some(i) if i < positional_only => positional_as_keyword.push(*key),
            Some(i) if bound[i].is_some() => {
                return Err(format!("{name}() got multiple values for argument '{key}'"))
            }
            Some(i) => bound[i] = Some(Given::Keyword(k)),
            None => {
                return Err(format!(
                    "{name}() got an unexpected keyword argument '{key}'"
                ))
            }
        }
    }
    if !positional_as_keyword.is_empty() {
        return Err(format!(
            "{name}() got some positional-only arguments passed as keyword arguments: '{}'",
            positional_as_keyword.join(", ")
        ));
    }
    if positional > takes_positional {
        let with_default = has_default[..takes_positional]
            .iter()
            .filter(|d| **d)
            .count();
        let takes = if with_default == 0 {
            format!(
                "{takes_positional} positional argument{}",
                plural(takes_positional)
            )
        } else {
            format!(
                "from {} to {takes_positional} positional arguments",
                takes_positional - with_default
            )
        };
        let keyword_only_given = bound[takes_positional..]
            .iter()
            .filter(|b| b.is_some())
            .count();
        let given = if keyword_only_given == 0 {
            format!(
                "{positional} {}",
                if positional == 1 { "was" } else { "were" }
            )
        } else {
            format!(
                "{positional} positional argument{} (and {keyword_only_given} keyword-only argument{}) were",
                plural(positional),
                plural(keyword_only_given)
            )
        };
        return Err(format!("{name}() takes {takes} but {given} given"));
    }
    for (slot, default) in bound.iter_mut().zip(has_default) {
        if slot.is_none() && *default {
            *slot = Some(Given::Default);
        }
    }
    for (kind, range) in [
        ("positional", 0..takes_positional),
        ("keyword-only", takes_positional..n),
    ] {
        let missing: Vec<String> = range
            .filter(|i| bound[*i].is_none())
            .map(|i| format!("'{}'", names[i]))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{name}() missing {} required {kind} argument{}: {}",
                missing.len(),
                plural(missing.len()),
                english_list(&missing)
            ));
        }
    }
    Ok(bound.into_iter().flatten().collect())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`: CPython's list of missing names.
fn english_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}
