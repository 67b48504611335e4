//! What plan builders accept: a typed value, or text read when the plan is
//! built. A setter never fails; text that does not read is a problem the one
//! fallible step (`build()`) reports with the field's path, exactly as a plan
//! file reports it.

/// A value a builder's setter takes for a `T`: the `T` itself, or text (`&str`,
/// `String`) parsed with `T`'s own rules when the plan is built.
pub trait Input<T> {
    /// The value, or the parse error's message (`invalid role name …: …`).
    fn into_value(self) -> Result<T, String>;
}

/// Implements [`Input`] for a type with `FromStr`: itself, references to it
/// and text.
macro_rules! text_input {
    ($t:ty) => {
        impl $crate::model::input::Input<$t> for $t {
            fn into_value(self) -> Result<$t, String> {
                Ok(self)
            }
        }
        impl $crate::model::input::Input<$t> for &$t {
            fn into_value(self) -> Result<$t, String> {
                Ok(self.clone())
            }
        }
        impl $crate::model::input::Input<$t> for &str {
            fn into_value(self) -> Result<$t, String> {
                <$t as ::std::str::FromStr>::from_str(self).map_err(|e| e.to_string())
            }
        }
        impl $crate::model::input::Input<$t> for String {
            fn into_value(self) -> Result<$t, String> {
                <$t as ::std::str::FromStr>::from_str(&self).map_err(|e| e.to_string())
            }
        }
        impl $crate::model::input::Input<$t> for &String {
            fn into_value(self) -> Result<$t, String> {
                <$t as ::std::str::FromStr>::from_str(self).map_err(|e| e.to_string())
            }
        }
    };
}

pub(crate) use text_input;
