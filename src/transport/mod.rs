//! The transport: how a request of the generated client is made and what is kept of its
//! answer. [`request_policy`] says what every request gets, [`hooks`] applies it and
//! [`answer`] around each request progenitor sends; [`path`] encodes and checks names in
//! paths, [`query`] writes query parameters and [`request_body`] optional bodies,
//! [`base_url`] says which base URLs are accepted, and [`retry`] when a failed request is
//! sent again.

pub(crate) mod answer;
pub(crate) mod base_url;
pub(crate) mod hooks;
pub(crate) mod path;
pub(crate) mod query;
pub(crate) mod request_body;
pub(crate) mod request_policy;
pub(crate) mod retry;
