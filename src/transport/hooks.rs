//! The generated client's hooks: what happens around every request it sends, the escape
//! hatch's included. Each is one call into the module that owns it.

use std::future::Future;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use super::answer;
use super::request_policy::RequestPolicy;
use crate::generated;

/// Prepares the request under the client's [`RequestPolicy`], or refuses it. The
/// generated methods call this directly, without an `.await` (the build script puts it
/// in place of progenitor's `self.pre(..).await`), so that their futures do not keep
/// the request across one. (The error is progenitor's, as large as it is.)
#[allow(clippy::result_large_err)]
pub(crate) fn pre<E>(
    client: &generated::Client,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), progenitor_client::Error<E>> {
    client
        .inner()
        .prepare(request, info.operation_id)
        .map_err(progenitor_client::Error::InvalidRequest)
}

impl ClientHooks<RequestPolicy> for generated::Client {
    /// This module's `pre`, for whoever calls the hook itself on the generated client
    /// (its methods call that function directly; the build script rewrites them).
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        pre(self, request, info)
    }

    /// Sends the request once, noting and bounding its answer. (Not an `async fn`: the
    /// future is `answer::send`'s own, without a layer around it.)
    fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        answer::send(self.client(), request, self.inner().max_response_size())
    }
}
