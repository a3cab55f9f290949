//! The table of the routes the fake serves: those of the spec, those of Turso's API
//! beyond it (the ones Turso's CLI calls), and those it knows but does not emulate. For
//! tools that check the fake against a spec, and for people who want to know whether a
//! route they call is served; the binary prints it with `--routes`.

/// One route of the fake.
///
/// ```
/// use turso_platform_fake::{RouteKind, routes};
///
/// let create = routes()
///     .find(|route| route.operation == Some("createDatabase"))
///     .expect("createDatabase is served");
/// assert_eq!((create.method, create.kind), ("POST", RouteKind::Spec));
/// assert_eq!(create.path, "/v1/organizations/{organizationSlug}/databases");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The HTTP method, in capitals (`GET`).
    pub method: &'static str,
    /// The path, with its parameters in braces as the spec writes them
    /// (`/v1/organizations/{organizationSlug}/databases`).
    pub path: &'static str,
    /// The operation the route is counted and failed as ([`crate::FakeTurso::requests`],
    /// [`crate::FakeTurso::fail_next`]): the spec's operationId, also for another form of
    /// a spec operation (`/v2/organizations` is `listOrganizations`); `None` for a route
    /// the fake does not emulate.
    pub operation: Option<&'static str>,
    /// Where the route comes from.
    pub kind: RouteKind,
}

/// Where a [`Route`] comes from.
///
/// ```
/// use turso_platform_fake::{RouteKind, routes};
///
/// assert!(routes().any(|route| route.kind == RouteKind::BeyondSpec));
/// assert_eq!(RouteKind::NotEmulated.as_str(), "not-emulated");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RouteKind {
    /// An operation of `turso-platform`'s `openapi.yaml`.
    Spec,
    /// A route of Turso's API that the spec leaves out: one Turso's CLI calls.
    BeyondSpec,
    /// A route of Turso's API the fake knows but does not emulate (billing with Stripe,
    /// JWKS, the AWS migration): it answers 501 with the API's error body.
    NotEmulated,
}

impl RouteKind {
    /// The kind's name in the binary's `--routes` output: `spec`, `beyond-spec` or
    /// `not-emulated`.
    ///
    /// ```
    /// assert_eq!(turso_platform_fake::RouteKind::Spec.as_str(), "spec");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Spec => "spec",
            RouteKind::BeyondSpec => "beyond-spec",
            RouteKind::NotEmulated => "not-emulated",
        }
    }
}

/// Every route the fake serves, the spec's first, in a stable order. The paths Turso's
/// CLI sends without an organization (`/v1/databases`) are not listed apart: the fake
/// serves them as the same paths of the caller's personal organization.
///
/// ```
/// let routes: Vec<_> = turso_platform_fake::routes().collect();
/// assert!(routes.iter().any(|route| route.path == "/v2/organizations"));
/// ```
pub fn routes() -> impl Iterator<Item = Route> {
    crate::http::routes().map(|(kind, operation, method, path, _)| Route {
        method,
        path,
        operation,
        kind,
    })
}
