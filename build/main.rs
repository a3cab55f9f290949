//! Generates the HTTP client from `openapi.yaml` with progenitor: a short driver over the
//! stages in this folder, each a pure function of the spec or of progenitor's output,
//! unit-tested in `build/tests.rs` (the `build_stages` test target).
//!
//! The generated code goes to `$OUT_DIR/turso_platform_generated.rs`, which
//! `src/generated.rs` includes. It is never edited by hand: change the spec and
//! rebuild. When the spec is wrong, the build fails with a message that names the
//! problem instead of a panic from inside the generator.
//!
//! 1. [`spec_checks`]: what progenitor needs and does not check itself;
//! 2. [`replacements`]: the schemas replaced by hand-written types, and those that stay
//!    strings;
//! 3. progenitor generates the client;
//! 4. [`adjust`]: progenitor's output adjusted where it has no setting for what this crate
//!    needs, with [`request_builder`] for the requests each method builds and [`setters`]
//!    for every generated struct ([`fields`] reads and writes their fields);
//! 5. [`operations`]: the table of what the spec says of each operation, appended.

use std::{env, fs, path::PathBuf, process::ExitCode};

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl, TypePatch};

mod adjust;
mod fields;
mod operations;
mod replacements;
mod request_builder;
mod setters;
mod spec_checks;

use adjust::Adjust;
use replacements::{RENAMES, REPLACEMENTS, Replacement};

const SPEC: &str = "openapi.yaml";

const OUT_FILE: &str = "turso_platform_generated.rs";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SPEC}");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let text = fs::read_to_string(SPEC).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec: OpenAPI = serde_norway::from_str(&text)
        .map_err(|e| format!("{SPEC} is not an OpenAPI 3.0 document: {e}"))?;
    spec_checks::check(&spec)?;
    let table = operations::operation_table(&spec)?;
    let path_parameters = spec.paths.paths.keys().any(|path| path.contains('{'));
    let answers = operations::answer_types(&spec);
    let secret_methods = operations::secret_methods(&spec);
    let optional_body_methods = operations::optional_body_methods(&spec)?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        // What the hooks apply to every request: the token, the origin it may go to,
        // the largest answer read.
        .with_inner_type(
            "crate::transport::request_policy::RequestPolicy"
                .parse()
                .map_err(|e| format!("{e}"))?,
        )
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap");
    for replacement in REPLACEMENTS {
        settings.with_replacement(replacement.schema, replacement.rust, impls(replacement));
    }
    for (from, to) in RENAMES {
        settings.with_patch(from, TypePatch::default().with_rename(to));
    }
    for schema in replacements::plain_strings(&spec) {
        settings.with_conversion(schema, "::std::string::String", [].into_iter());
    }

    // progenitor panics on some specs `check` does not foresee: turn that into a build
    // error too, without the panic's own report.
    std::panic::set_hook(Box::new(|_| {}));
    let generated =
        std::panic::catch_unwind(move || Generator::new(&settings).generate_tokens(&spec));
    let _ = std::panic::take_hook();
    let tokens = generated
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown reason");
            format!("progenitor cannot generate a client from {SPEC}: {why}")
        })?
        .map_err(|e| format!("progenitor cannot generate a client from {SPEC}: {e}"))?;
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    Adjust::new(secret_methods, optional_body_methods).apply(
        &mut file,
        path_parameters,
        &answers,
    )?;
    let mut code = prettyplease::unparse(&file);
    // What the adjustments replace must be gone, whatever shape progenitor gave it.
    for left in [
        "\"api-version\"",
        "ResponseValue::from_response",
        "ResponseValue::empty",
        "QueryParam::new",
    ] {
        if code.contains(left) {
            return Err(format!(
                "progenitor's output changed shape: the build script no longer finds every \
                 `{left}` it replaces; update build/adjust.rs"
            ));
        }
    }
    code.push_str(&table);

    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join(OUT_FILE);
    fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// What a replacement type implements, for typify.
fn impls(replacement: &Replacement) -> impl Iterator<Item = TypeImpl> {
    let default = replacement.default.then_some(TypeImpl::Default);
    let wire = replacement
        .wire_string
        .then_some([TypeImpl::Display, TypeImpl::FromStr]);
    default.into_iter().chain(wire.into_iter().flatten())
}
