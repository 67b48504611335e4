//! The machinery behind text newtypes: values that are a string with rules
//! (a Kubernetes label, an Azure region, a locale), checked once when built
//! or read from a plan file and valid from then on.

/// Declares a newtype over `String` whose constructor checks (and may
/// normalise) the text. `$check` is a `fn(&str) -> Result<String, String>`
/// returning the value to keep, or why the text is not one.
macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps a value.
            pub fn new(s: impl AsRef<str>) -> Result<Self, $crate::model::names::NameError> {
                let raw = s.as_ref();
                $check(raw).map($name).map_err(|reason| $crate::model::names::NameError {
                    kind: $kind,
                    input: raw.to_owned(),
                    reason,
                })
            }
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// An empty value that is never valid: what a builder keeps in a
            /// required field whose input did not parse. The builder reports
            /// the problem and never returns a plan holding one.
            #[allow(dead_code)]
            pub(crate) fn placeholder() -> Self {
                Self(String::new())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::names::NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::model::names::NameError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::model::names::NameError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Self::new(s).map_err(::serde::de::Error::custom)
            }
        }

        $crate::model::input::text_input!($name);
    };
}

pub(crate) use text_newtype;
