//! Commands as the window sees them (name, documented arguments, result) and their rendering
//! into TypeScript: an argument type and a typed wrapper around `call` per command.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use ts_rs::{Dependency, TypeVisitor, TS};

/// One command's signature, from the list in `ipc_commands`.
pub struct Signature {
    /// The handler's name, as Tauri registers it (snake_case).
    pub command: &'static str,
    pub docs: Vec<&'static str>,
    pub arguments: Vec<Argument>,
    /// The TypeScript type of what the command resolves to.
    pub returns: String,
    /// The generated types (in `bindings.ts`) the arguments and the result name.
    pub dependencies: BTreeSet<String>,
}

/// One argument the window sends.
pub struct Argument {
    /// The handler's parameter name (snake_case); the window sends it in camelCase.
    pub name: &'static str,
    pub docs: Vec<&'static str>,
    pub ts_type: String,
}

/// The generated types `T`'s TypeScript name refers to: `T` itself and, through `Vec`, `Option`
/// and the like, the types inside it.
pub fn named_types<T: TS + 'static + ?Sized>() -> Vec<String> {
    struct Names(Vec<String>);
    impl TypeVisitor for Names {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            self.0.extend(Dependency::from_ty::<U>().map(|d| d.ts_name));
        }
    }
    let mut names = Names(Vec::new());
    names.visit::<T>();
    T::visit_generics(&mut names);
    names.0
}

/// `delete_prefix` → `deletePrefix`.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        match (c, upper) {
            ('_', _) => upper = true,
            (c, true) => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            (c, false) => out.push(c),
        }
    }
    out
}

/// `delete_prefix` → `DeletePrefix`.
fn pascal_case(snake: &str) -> String {
    let camel = camel_case(snake);
    let mut chars = camel.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A JSDoc block from doc-comment lines, indented by `indent`.
fn js_doc(out: &mut String, docs: &[&str], indent: &str) {
    match docs {
        [] => {}
        [line] => {
            let _ = writeln!(out, "{indent}/** {} */", line.trim());
        }
        lines => {
            let _ = writeln!(out, "{indent}/**");
            for line in lines {
                let _ = writeln!(out, "{indent} * {}", line.trim());
            }
            let _ = writeln!(out, "{indent} */");
        }
    }
}

/// The whole generated `commands.ts` for these signatures.
pub fn render(signatures: &[Signature]) -> String {
    let mut out = String::from(
        "// Generated from the command list in src-tauri/src/ipc_commands.rs; do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_\n",
    );
    let imports: BTreeSet<&str> = signatures
        .iter()
        .flat_map(|s| s.dependencies.iter().map(String::as_str))
        .collect();
    out.push_str("import type {\n");
    for name in imports {
        let _ = writeln!(out, "  {name},");
    }
    out.push_str("} from \"./bindings\";\nimport { call } from \"./call\";\n");
    for signature in signatures {
        let function = camel_case(signature.command);
        out.push('\n');
        if signature.arguments.is_empty() {
            js_doc(&mut out, &signature.docs, "");
            let _ = writeln!(
                out,
                "export const {function} = (): Promise<{}> => call(\"{}\");",
                signature.returns, signature.command
            );
            continue;
        }
        let args_type = format!("{}Args", pascal_case(signature.command));
        let _ = writeln!(out, "/** Arguments of `{}`. */", signature.command);
        let _ = writeln!(out, "export type {args_type} = {{");
        for argument in &signature.arguments {
            js_doc(&mut out, &argument.docs, "  ");
            let _ = writeln!(
                out,
                "  {}: {};",
                camel_case(argument.name),
                argument.ts_type
            );
        }
        out.push_str("};\n\n");
        js_doc(&mut out, &signature.docs, "");
        let _ = writeln!(
            out,
            "export const {function} = (args: {args_type}): Promise<{}> =>\n  call(\"{}\", args);",
            signature.returns, signature.command
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_turn_into_the_window_s_spelling() {
        assert_eq!(camel_case("delete_prefix"), "deletePrefix");
        assert_eq!(camel_case("list_namespaces"), "listNamespaces");
        assert_eq!(camel_case("db_password"), "dbPassword");
        assert_eq!(pascal_case("export_audit_csv"), "ExportAuditCsv");
        assert_eq!(camel_case("limit"), "limit");
    }

    #[test]
    fn the_named_types_are_the_type_and_those_inside_its_wrappers() {
        use cachescope_core::context::ProfileView;
        use cachescope_core::jobs::catalog::JobName;
        assert_eq!(named_types::<ProfileView>(), ["ProfileView"]);
        assert_eq!(named_types::<Vec<ProfileView>>(), ["ProfileView"]);
        assert_eq!(named_types::<Option<JobName>>(), ["JobName"]);
        assert!(named_types::<Option<String>>().is_empty());
    }

    #[test]
    fn a_command_renders_its_argument_type_and_wrapper() {
        let signature = Signature {
            command: "set_key_ttl",
            docs: vec![" Sets a key's TTL."],
            arguments: vec![
                Argument {
                    name: "profile",
                    docs: vec![],
                    ts_type: "string".to_owned(),
                },
                Argument {
                    name: "ttl_seconds",
                    docs: vec![" Null = never expires."],
                    ts_type: "number | null".to_owned(),
                },
            ],
            returns: "null".to_owned(),
            dependencies: BTreeSet::from(["ValueView".to_owned()]),
        };
        let ts = render(&[signature]);
        assert!(ts.contains("import type {\n  ValueView,\n} from \"./bindings\";"));
        assert!(ts.contains(
            "export type SetKeyTtlArgs = {\n  profile: string;\n  /** Null = never expires. */\n  \
             ttlSeconds: number | null;\n};"
        ));
        assert!(ts.contains(
            "/** Sets a key's TTL. */\nexport const setKeyTtl = (args: SetKeyTtlArgs): \
             Promise<null> =>\n  call(\"set_key_ttl\", args);"
        ));
    }
}
