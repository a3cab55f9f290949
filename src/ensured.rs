//! What a create that may already have happened found, and the loop that finds it.

use std::future::Future;

use crate::Error;

/// What [`Client::ensure_database`](crate::Client::ensure_database) and
/// [`Client::ensure_group`](crate::Client::ensure_group) did: created the resource, or
/// found it there as asked (a create whose answer was lost, a name taken by another
/// worker ensuring the same thing, or one made earlier).
///
/// ```
/// use turso_platform::Ensured;
///
/// let outcome = Ensured::Found("tenant-42");
/// assert!(!outcome.was_created());
/// assert_eq!(outcome.into_inner(), "tenant-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ensured<T> {
    /// This call created it.
    Created(T),
    /// It was there, as asked: this call did not create it, or cannot tell that it did
    /// (its answer was lost).
    Found(T),
}

impl<T> Ensured<T> {
    /// Whether this call created it.
    ///
    /// ```
    /// assert!(turso_platform::Ensured::Created(1).was_created());
    /// ```
    pub fn was_created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }

    /// What was created or found.
    ///
    /// ```
    /// assert_eq!(turso_platform::Ensured::Found(1).get(), &1);
    /// ```
    pub fn get(&self) -> &T {
        match self {
            Ensured::Created(value) | Ensured::Found(value) => value,
        }
    }

    /// What was created or found, taken out.
    ///
    /// ```
    /// assert_eq!(turso_platform::Ensured::Created(1).into_inner(), 1);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Ensured::Created(value) | Ensured::Found(value) => value,
        }
    }
}

/// Creates with `create`; if the outcome is unknown ([`Error::MayExist`]) or the name is
/// taken, reads it back with `find` (which fails with [`Error::TakenByAnother`] if it is
/// not as asked). A lost create that did not happen (`find` answers 404) is made again,
/// at most twice more; any other failure of `find` returns the create's failure.
pub(crate) async fn ensure<T, C, F>(
    mut create: impl FnMut() -> C,
    mut find: impl FnMut() -> F,
) -> Result<Ensured<T>, Error>
where
    C: Future<Output = Result<T, Error>>,
    F: Future<Output = Result<T, Error>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failure = match create().await {
            Ok(created) => return Ok(Ensured::Created(created)),
            Err(e) if e.is_name_taken() || matches!(e, Error::MayExist { .. }) => e,
            Err(e) => return Err(e),
        };
        match find().await {
            Ok(found) => return Ok(Ensured::Found(found)),
            Err(e @ Error::TakenByAnother { .. }) => return Err(e),
            // The lost create did not happen: make it again.
            Err(e) if e.is_not_found() && !failure.is_name_taken() && attempts < 3 => {}
            Err(_) => return Err(failure),
        }
    }
}
