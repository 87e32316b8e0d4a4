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
    let name = &callee.name;
    let names: Vec<&str> = callee
        .params
        .iter()
        .map(|p| callee.local(*p).name.as_str())
        .collect();
    let n = names.len();
    let positional = n - sig.keyword_only;
    let mut bound: Vec<Option<CallArg>> = vec![None; n];
    for (slot, a) in bound.iter_mut().zip(args.iter().take(positional)) {
        *slot = Some(CallArg::Expr(*a));
    }
    let mut positional_as_keyword = Vec::new();
    for k in kwargs {
        match names.iter().position(|p| *p == k.name) {
            Some(i) if i < sig.positional_only => positional_as_keyword.push(k.name.as_str()),
            Some(i) if bound[i].is_some() => {
                return Err(format!(
                    "{name}() got multiple values for argument '{}'",
                    k.name
                ))
            }
            Some(i) => bound[i] = Some(CallArg::Expr(k.value)),
            None => {
                return Err(format!(
                    "{name}() got an unexpected keyword argument '{}'",
                    k.name
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
    if args.len() > positional {
        let with_default = sig.defaults[..positional]
            .iter()
            .filter(|d| d.is_some())
            .count();
        let takes = if with_default == 0 {
            format!("{positional} positional argument{}", plural(positional))
        } else {
            format!(
                "from {} to {positional} positional arguments",
                positional - with_default
            )
        };
        let given = args.len();
        let keyword_only_given = bound[positional..].iter().filter(|b| b.is_some()).count();
        let given = if keyword_only_given == 0 {
            format!("{given} {}", if given == 1 { "was" } else { "were" })
        } else {
            format!(
                "{given} positional argument{} (and {keyword_only_given} keyword-only argument{}) were",
                plural(given),
                plural(keyword_only_given)
            )
        };
        return Err(format!("{name}() takes {takes} but {given} given"));
    }
    for (slot, default) in bound.iter_mut().zip(&sig.defaults) {
        if let (None, Some(d)) = (&slot, default) {
            *slot = Some(CallArg::Default(d.clone()));
        }
    }
    for (kind, range) in [
        ("positional", 0..positional),
        ("keyword-only", positional..n),
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
