//! Extensions: what an extension needs before `CREATE EXTENSION` works.

mod duplicate_extension;
mod extension_preload;
mod extension_schema;

pub use duplicate_extension::DuplicateExtension;
pub use extension_preload::ExtensionPreload;
pub use extension_schema::ExtensionSchema;

#[cfg(test)]
fn extension(name: &str) -> crate::Extension {
    crate::Extension::builder()
        .name(crate::validate::rules::test_support::v(name))
        .build()
}
