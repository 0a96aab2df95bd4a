//! Coded enums: every status, type and kind in Jingzhi has a stable English code (stored in the
//! database, sent in the API) and a Chinese label (shown in the UI). The [`coded_enum!`] macro makes
//! the label mandatory; `tests/glossary.rs` checks that every code is in `docs/glossary.md`.

/// An enum with stable codes and Chinese labels.
pub trait Coded: Sized + Copy + 'static {
    /// The enum's name, as written in the glossary.
    const NAME: &'static str;
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

/// A coded enum's table, for the glossary check and for admin pages.
pub struct CodeTable {
    pub name: &'static str,
    pub entries: Vec<(&'static str, &'static str)>,
}

impl CodeTable {
    pub fn of<T: Coded>() -> CodeTable {
        CodeTable {
            name: T::NAME,
            entries: T::all().iter().map(|v| (v.code(), v.label())).collect(),
        }
    }
}

/// Defines an enum whose variants each carry a stable code and a Chinese label.
///
/// ```ignore
/// coded_enum! {
///     /// 角色
///     pub enum Role {
///         Admin = ("admin", "系统管理员"),
///     }
/// }
/// ```
#[macro_export]
macro_rules! coded_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $( $(#[$vm:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $( $(#[$vm])* $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::coded::Coded for $name {
            const NAME: &'static str = stringify!($name);
            fn all() -> &'static [Self] { Self::ALL }
            fn code(self) -> &'static str { $name::code(self) }
            fn label(self) -> &'static str { $name::label(self) }
            fn from_code(code: &str) -> Option<Self> { $name::from_code(code) }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.label()) }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::from_code(&s).ok_or_else(|| ::serde::de::Error::custom(format!(
                    "unknown {} code: {}", stringify!($name), s)))
            }
        }
    };
}

/// Every coded enum of the domain. Add each new enum here: the glossary test walks this list.
pub fn all_code_tables() -> Vec<CodeTable> {
    use crate::*;
    let mut v = vec![
        CodeTable::of::<role::Role>(),
        CodeTable::of::<org::OrgKind>(),
        CodeTable::of::<org::StreetKind>(),
        CodeTable::of::<org::DepartmentKind>(),
        CodeTable::of::<authz::Resource>(),
        CodeTable::of::<authz::Action>(),
        CodeTable::of::<matter::PartyType>(),
        CodeTable::of::<matter::DiscretionLevel>(),
        CodeTable::of::<geo::BoundaryLevel>(),
        CodeTable::of::<geo::LocateMethod>(),
    ];
    v.extend(clock::code_tables());
    v.extend(clue::code_tables());
    v.extend(case::code_tables());
    v
}
