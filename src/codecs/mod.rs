//! The codecs: how values cross the wire. [`wire_enum`] for enums whose values are fixed
//! words, [`secret`] for answers that carry secrets, [`timestamp`] for dates, [`lenient`]
//! for fields the API writes otherwise than the spec says, [`excerpt`] for the bounded
//! quotes of outside texts in errors.

pub(crate) mod excerpt;
pub(crate) mod lenient;
pub(crate) mod secret;
pub(crate) mod timestamp;
pub(crate) mod wire_enum;
