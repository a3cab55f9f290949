//! Every entry of an organization's audit log, as a stream that reads one page at a
//! time.

use std::fmt;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::client::options::checked_page_size;
use crate::generated::types::{AuditLog, AuditLogPage};
use crate::{AuditLogOptions, Client, Error};

type PageFuture = Pin<Box<dyn Future<Output = Result<AuditLogPage, Error>> + Send>>;

/// Every entry of an organization's audit log, newest first, from
/// [`Client::audit_log_stream`]: a [`Stream`] of `Result<AuditLog, Error>` that reads the
/// next page only when the entries of the one before are taken, so that no more than a
/// page is held in memory.
///
/// It ends after the last page: one that is empty, shorter than the page size, whose
/// number reaches the `total_pages` the API gives, or that gives neither its number nor
/// a page count. A page that is not the one asked for is an error
/// ([`Error::UnexpectedResponse`]): a broken server that always answers page 1 does not
/// make it loop, nor repeat entries. After an error (each page is retried like any
/// read), it yields the error and ends; to go on, read page
/// [`pages_read`](AuditLogStream::pages_read)` + 1` onwards with
/// [`Client::list_organization_audit_logs`]. An invalid page size is the
/// first and only item, and nothing is sent.
///
/// Pages are counted from the newest entry when each is asked for: an entry added while
/// the stream runs shifts the later pages by one, so the stream can yield an entry twice
/// (never skip one). Compare `created_at` and `code` if that matters.
///
/// Walk it with its own [`next`](AuditLogStream::next), which needs no other crate. The
/// [`Stream`](crate::Stream) trait it implements is `futures_core::Stream`, re-exported
/// as `turso_platform::Stream`; its combinators (`filter`, `take`, `collect`) come from
/// `futures_util::StreamExt` (also `futures::StreamExt`), as below.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use turso_platform::AuditCode;
///
/// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
/// // The ten newest database deletions, reading as few pages as that takes.
/// let deletions: Vec<_> = client
///     .audit_log_stream("my-org", 50)
///     .filter(|entry| {
///         let deletion = matches!(entry, Ok(e) if e.audit_code() == Some(AuditCode::DbDelete));
///         std::future::ready(deletion || entry.is_err())
///     })
///     .take(10)
///     .collect()
///     .await;
/// # Ok(())
/// # }
/// ```
pub struct AuditLogStream {
    client: Client,
    org: String,
    page_size: NonZeroU32,
    /// The entries of the last page read, not yet yielded.
    entries: std::vec::IntoIter<AuditLog>,
    /// The page to read next, `None` once the last one was read or something failed.
    next_page: Option<NonZeroU32>,
    /// The page being read, and its number.
    reading: Option<(NonZeroU32, PageFuture)>,
    /// An invalid page size, yielded first.
    invalid: Option<Error>,
    /// How many pages were read and taken.
    pages_read: u32,
}

impl AuditLogStream {
    pub(crate) fn new(client: Client, org: &str, page_size: u32) -> Self {
        let (page_size, invalid) = match checked_page_size(page_size) {
            Ok(size) => (size, None),
            Err(e) => (NonZeroU32::MIN, Some(e)),
        };
        Self {
            client,
            org: org.to_owned(),
            page_size,
            entries: Vec::new().into_iter(),
            next_page: invalid.is_none().then_some(NonZeroU32::MIN),
            reading: None,
            invalid,
            pages_read: 0,
        }
    }

    /// The next entry, reading the next page when the entries of the one before are all
    /// taken; `None` at the end, and after an error. The same as `StreamExt::next`, without
    /// importing a trait.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> Result<(), turso_platform::Error> {
    /// let mut entries = client.audit_log_stream("my-org", 100);
    /// while let Some(entry) = entries.next().await {
    ///     let entry = entry?;
    ///     println!("{:?} by {:?}", entry.audit_code(), entry.author);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[allow(clippy::should_implement_trait)] // `Iterator::next` is not async
    pub async fn next(&mut self) -> Option<Result<AuditLog, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// How many pages the stream has read so far, their entries yielded or waiting to
    /// be; after an error, the page that failed is the next one.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) {
    /// let mut entries = client.audit_log_stream("my-org", 100);
    /// while let Some(entry) = entries.next().await {
    ///     if let Err(e) = entry {
    ///         eprintln!("page {} failed: {e}", entries.pages_read() + 1);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }

    /// Starts reading page `page`.
    fn read(&self, page: NonZeroU32) -> PageFuture {
        let client = self.client.clone();
        let org = self.org.clone();
        let options = AuditLogOptions::new()
            .page(page.get())
            .page_size(self.page_size.get());
        Box::pin(async move { client.list_organization_audit_logs(&org, &options).await })
    }

    /// Takes a page that was read: its entries, and the next page unless it is the last.
    /// An answer for another page than the one asked for is an error: following it would
    /// repeat or skip entries, or walk in circles.
    fn take(&mut self, page: NonZeroU32, answer: AuditLogPage) -> Result<(), Error> {
        let pagination = answer.pagination.unwrap_or_default();
        if let Some(answered) = pagination.page
            && i64::from(answered) != i64::from(page.get())
        {
            return Err(Error::unexpected_ok(
                String::new(),
                format!(
                    "asked for page {page} of the audit log, the API answered page \
                     {answered}; the stream stops rather than repeat or skip entries"
                ),
            ));
        }
        // The page size the API used, if it says, else the one asked for.
        let page_size = pagination
            .page_size
            .and_then(|size| usize::try_from(size).ok())
            .filter(|size| *size > 0)
            .unwrap_or(self.page_size.get() as usize);
        let total_pages = pagination
            .total_pages
            .and_then(|total| u32::try_from(total).ok());
        let read = answer.audit_logs.len();
        // Without a page number nor a page count, nothing says there is another page.
        let unnumbered = pagination.page.is_none() && total_pages.is_none();
        let last = read == 0
            || read < page_size
            || total_pages.is_some_and(|total| page.get() >= total)
            || unnumbered;
        self.next_page = if last { None } else { page.checked_add(1) };
        self.pages_read = page.get();
        self.entries = answer.audit_logs.into_iter();
        Ok(())
    }
}

impl Stream for AuditLogStream {
    type Item = Result<AuditLog, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(e) = this.invalid.take() {
            return Poll::Ready(Some(Err(e)));
        }
        loop {
            if let Some(entry) = this.entries.next() {
                return Poll::Ready(Some(Ok(entry)));
            }
            if let Some((page, reading)) = &mut this.reading {
                let answer = std::task::ready!(reading.as_mut().poll(cx));
                let page = *page;
                this.reading = None;
                if let Err(e) = answer.and_then(|answer| this.take(page, answer)) {
                    return Poll::Ready(Some(Err(e)));
                }
                continue;
            }
            match this.next_page.take() {
                Some(page) => this.reading = Some((page, this.read(page))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let ready = self.entries.len() + usize::from(self.invalid.is_some());
        let done = self.next_page.is_none() && self.reading.is_none();
        (ready, done.then_some(ready))
    }
}

impl fmt::Debug for AuditLogStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLogStream")
            .field("org", &self.org)
            .field("page_size", &self.page_size)
            .field("next_page", &self.next_page)
            .field("pages_read", &self.pages_read)
            .field("buffered", &self.entries.len())
            .finish_non_exhaustive()
    }
}
