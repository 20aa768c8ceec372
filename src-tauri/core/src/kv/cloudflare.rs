//! The Cloudflare Workers KV REST API client: the `{success, errors, result, result_info}`
//! envelope, cursor paging, bulk calls chunked at Cloudflare's limits, a rate limiter that keeps
//! under 1,200 requests per 5 minutes, retries that honour `Retry-After`, and typed errors.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::limits::{self, unix_now};
use super::paging::PagingGuard;
use super::shared_budget::SharedBudget;
use super::{
    BulkOutcome, Entry, Expiry, KeyInfo, KeyPage, KvStore, ListOptions, Metadata, PutOptions, Value,
};
use crate::error::{Error, Result};

/// Cloudflare's public API.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// Everything but RFC 3986's unreserved characters is escaped in a key's path segment, so
/// keys with `/`, `%`, spaces, `:` or unicode address exactly one key.
const KEY_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Cloudflare caps one bulk request body at 100 MB; stay under it with room for the envelope.
const MAX_BULK_BODY_BYTES: usize = 95_000_000;

/// Namespaces asked for per page of the namespace listing.
const NAMESPACES_PER_PAGE: u32 = 100;

/// The longest wait a server's `Retry-After` can ask for: larger values (up to `1e308`, or a
/// date decades ahead) are clamped to this, and the policy's `max_backoff` may cap it further.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// How many requests the client may send in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

impl RateLimit {
    /// Cloudflare's API limit: 1,200 requests per 5 minutes.
    pub const CLOUDFLARE: RateLimit = RateLimit {
        requests: 1200,
        per: Duration::from_secs(300),
    };

    /// A limiter that never lets more than `requests` through in any window of `per`: a burst of
    /// 1/24 of the budget, the rest replenished evenly.
    pub fn limiter(self) -> DefaultDirectRateLimiter {
        let requests = self.requests.max(2);
        let burst = (requests / 24).max(1);
        let steady = requests - burst;
        let period = (self.per / steady).max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        RateLimiter::direct(quota)
    }
}

/// How failed requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry of a 5xx, a network error or a 429 without `Retry-After`;
    /// doubled each time, each wait drawn between half and all of it (jitter).
    pub base_backoff: Duration,
    /// Longest wait between attempts (also caps a server's `Retry-After`, itself clamped to
    /// [`MAX_RETRY_AFTER`]).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// Where and how to reach one namespace.
#[derive(Clone)]
pub struct CloudflareConfig {
    pub base_url: String,
    pub account_id: String,
    pub namespace_id: String,
    pub token: SecretString,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The file of the account's budget shared with the other Cachescope processes of this
    /// machine ([`super::shared_budget`]); `None` paces this client alone.
    pub shared_budget: Option<PathBuf>,
}

impl std::fmt::Debug for CloudflareConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudflareConfig")
            .field("base_url", &self.base_url)
            .field("account_id", &self.account_id)
            .field("namespace_id", &self.namespace_id)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl CloudflareConfig {
    /// A config with Cloudflare's rate limit, the default retries and a 60 s timeout.
    pub fn new(base_url: &str, account_id: &str, namespace_id: &str, token: SecretString) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            account_id: account_id.to_owned(),
            namespace_id: namespace_id.to_owned(),
            token,
            rate_limit: RateLimit::CLOUDFLARE,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            shared_budget: None,
        }
    }
}

/// A namespace reached through the REST API.
pub struct CloudflareStore {
    http: reqwest::Client,
    config: CloudflareConfig,
    limiter: DefaultDirectRateLimiter,
    budget: Option<SharedBudget>,
    requests: AtomicU64,
}

impl std::fmt::Debug for CloudflareStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudflareStore")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A namespace as the account (or a local file) lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    pub id: String,
    pub title: String,
}

#[derive(Deserialize)]
struct Envelope {
    success: bool,
    #[serde(default)]
    errors: Vec<ApiMessage>,
    /// Kept as text and parsed into the caller's type, so numbers in it keep every digit.
    #[serde(default)]
    result: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

#[derive(Deserialize)]
struct ApiMessage {
    code: u32,
    message: String,
}

#[derive(Deserialize, Default)]
struct ResultInfo {
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct ListedKey {
    name: String,
    expiration: Option<i64>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize, Default)]
struct BulkResult {
    successful_key_count: Option<usize>,
    #[serde(default)]
    unsuccessful_keys: Vec<String>,
}

#[derive(Serialize)]
struct BulkItem<'a> {
    key: &'a str,
    value: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    base64: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_ttl: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
}

#[derive(Deserialize)]
struct BulkGetResult {
    values: std::collections::HashMap<String, Box<serde_json::value::RawValue>>,
}

#[derive(Deserialize)]
struct BulkGetItem {
    value: Option<serde_json::Value>,
    metadata: Option<Metadata>,
    expiration: Option<i64>,
}

impl CloudflareStore {
    /// A client for one namespace; nothing is sent until the first call.
    pub fn new(config: CloudflareConfig) -> Result<Self> {
        if config.account_id.is_empty() || config.namespace_id.is_empty() {
            return Err(Error::invalid(
                "Cloudflare profile",
                "account id and namespace id are required",
            ));
        }
        reqwest::Url::parse(&config.base_url).map_err(|e| {
            Error::invalid(format!("base URL {:?}", config.base_url), e.to_string())
        })?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("cachescope/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::invalid("HTTP client", e.to_string()))?;
        Ok(Self {
            http,
            limiter: config.rate_limit.limiter(),
            budget: config
                .shared_budget
                .as_ref()
                .map(|path| SharedBudget::new(path, &config.account_id, config.rate_limit)),
            config,
            requests: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The namespaces of the account (checks the token and the account id).
    pub async fn namespaces(&self) -> Result<Vec<Namespace>> {
        let url = format!(
            "{}/accounts/{}/storage/kv/namespaces",
            self.config.base_url, self.config.account_id
        );
        let per_page = NAMESPACES_PER_PAGE as usize;
        // Twice the pages an account's namespaces can fill.
        let max_pages = (2 * limits::MAX_NAMESPACES_PER_ACCOUNT).div_ceil(per_page) as u64;
        let mut guard = PagingGuard::new(format!("namespaces at {url}"), NAMESPACES_PER_PAGE, None)
            .at_most(
                max_pages,
                "twice the pages of 1,000 namespaces, an account's limit",
            );
        let mut all: Vec<Namespace> = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for page in 1u64.. {
            let found: Vec<Namespace> = self
                .call_json(
                    Method::GET,
                    &url,
                    "list namespaces",
                    None,
                    limits::MAX_ENVELOPE_RESPONSE_BYTES,
                    |r| {
                        r.query(&[
                            ("page", page.to_string()),
                            ("per_page", per_page.to_string()),
                        ])
                    },
                )
                .await
                .map(|(result, _)| result)?;
            let done = found.len() < per_page;
            // A full page of namespaces listed before: the server ignores `page`.
            if !found.is_empty() && found.iter().all(|n| ids.contains(&n.id)) {
                return Err(guard.fail(
                    &format!("page={page}"),
                    format!("page {page} repeats namespaces earlier pages gave"),
                ));
            }
            let next = format!("page={}", page + 1);
            guard.page(found.len(), (!done).then_some(next.as_str()))?;
            ids.extend(found.iter().map(|n| n.id.clone()));
            all.extend(found);
            if done {
                break;
            }
        }
        Ok(all)
    }

    fn namespace_url(&self) -> String {
        format!(
            "{}/accounts/{}/storage/kv/namespaces/{}",
            self.config.base_url, self.config.account_id, self.config.namespace_id
        )
    }

    fn key_url(&self, kind: &str, key: &str) -> String {
        format!(
            "{}/{kind}/{}",
            self.namespace_url(),
            utf8_percent_encode(key, KEY_SEGMENT)
        )
    }

    fn endpoint(&self, url: &str) -> String {
        // Strip the query string; key names in paths are already percent-encoded.
        url.split('?').next().unwrap_or(url).to_owned()
    }

    /// Waits for this request's turn: from the account's budget shared between processes when
    /// there is one, else from this client's own limiter.
    async fn pace(&self) -> Result<()> {
        match &self.budget {
            Some(budget) => budget.acquire().await,
            None => {
                self.limiter.until_ready().await;
                Ok(())
            }
        }
    }

    /// Sends one request, pacing it through the limiter and retrying 429, 5xx and network
    /// failures. Returns the first response that is neither.
    async fn send(
        &self,
        method: Method,
        url: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response> {
        let retry = self.config.retry;
        let mut last_retry_after = Duration::ZERO;
        for attempt in 1..=retry.max_attempts {
            self.pace().await?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut auth =
                HeaderValue::from_str(&format!("Bearer {}", self.config.token.expose_secret()))
                    .map_err(|_| {
                        Error::invalid(
                            "API token",
                            "contains characters not allowed in an HTTP header",
                        )
                    })?;
            auth.set_sensitive(true);
            let request = build(
                self.http
                    .request(method.clone(), url)
                    .header(AUTHORIZATION, auth),
            );
            let last = attempt == retry.max_attempts;
            match request.send().await {
                Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                    let header = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let wait = wait_for_429(header.as_deref(), attempt, &retry, &mut rand::rng());
                    // 10048 (daily free-plan limit) also comes as 429 but waiting will not help.
                    // A body too large to be an error envelope is not one.
                    let body = self
                        .read_capped(
                            response,
                            url,
                            "rate limit answer",
                            limits::MAX_ENVELOPE_RESPONSE_BYTES,
                        )
                        .await
                        .unwrap_or_default();
                    if let Some(err) = envelope_error(429, &body, None) {
                        if !matches!(err, Error::KvApi { .. }) {
                            return Err(err);
                        }
                    }
                    last_retry_after = wait;
                    if last {
                        return Err(Error::KvRateLimited {
                            attempts: attempt,
                            retry_after: wait,
                        });
                    }
                    tracing::warn!(endpoint = %self.endpoint(url), ?wait, attempt, "rate limited; waiting");
                    tokio::time::sleep(wait).await;
                }
                Ok(response) if response.status().is_server_error() => {
                    let status = response.status();
                    if last {
                        return Err(Error::KvUnavailable {
                            endpoint: self.endpoint(url),
                            reason: format!("HTTP {status} after {attempt} attempts"),
                        });
                    }
                    let wait = backoff_with_jitter(attempt, &retry, &mut rand::rng());
                    tracing::warn!(endpoint = %self.endpoint(url), %status, attempt, ?wait, "server error; retrying");
                    tokio::time::sleep(wait).await;
                }
                Ok(response) => return Ok(response),
                Err(e) => {
                    let reason = if e.is_timeout() {
                        format!("no answer within {:?}", self.config.timeout)
                    } else if e.is_connect() {
                        "cannot connect".to_owned()
                    } else {
                        e.without_url().to_string()
                    };
                    if last {
                        return Err(Error::KvUnavailable {
                            endpoint: self.endpoint(url),
                            reason: format!("{reason} (after {attempt} attempts)"),
                        });
                    }
                    let wait = backoff_with_jitter(attempt, &retry, &mut rand::rng());
                    tracing::warn!(endpoint = %self.endpoint(url), %reason, attempt, ?wait, "request failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
        Err(Error::KvRateLimited {
            attempts: retry.max_attempts,
            retry_after: last_retry_after,
        })
    }

    /// Sends a request and decodes the envelope's `result` as `T`.
    async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        what: &str,
        key: Option<&str>,
        limit: usize,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<(T, Option<String>)> {
        let response = self.send(method, url, build).await?;
        let status = response.status().as_u16();
        let body = self.read_capped(response, url, what, limit).await?;
        if let Some(err) = envelope_error(status, &body, key) {
            return Err(err);
        }
        let envelope: Envelope = serde_json::from_slice(&body).map_err(|e| Error::KvProtocol {
            endpoint: self.endpoint(url),
            reason: format!("{what}: not a Cloudflare API envelope ({e})"),
        })?;
        let cursor = envelope
            .result_info
            .and_then(|i| i.cursor)
            .filter(|c| !c.is_empty());
        let result_text = envelope.result.as_deref().map_or("null", |r| r.get());
        let result = serde_json::from_str(result_text).map_err(|e| Error::KvProtocol {
            endpoint: self.endpoint(url),
            reason: format!("{what}: unexpected result shape ({e})"),
        })?;
        Ok((result, cursor))
    }

    /// Reads a response's body as a stream, refusing it (`KvResponseTooLarge`) as soon as its
    /// declared length or the bytes received pass `limit`: never more than `limit` plus one
    /// chunk is held.
    async fn read_capped(
        &self,
        mut response: Response,
        url: &str,
        what: &str,
        limit: usize,
    ) -> Result<Vec<u8>> {
        let too_large =
            |content_length: Option<u64>, read_bytes: usize| Error::KvResponseTooLarge {
                endpoint: self.endpoint(url),
                what: what.to_owned(),
                limit_bytes: limit as u64,
                content_length,
                read_bytes: read_bytes as u64,
            };
        let declared = response.content_length();
        if let Some(n) = declared.filter(|n| *n > limit as u64) {
            return Err(too_large(Some(n), 0));
        }
        let capacity = declared.map_or(0, |n| n as usize).min(limit);
        let mut body = Vec::with_capacity(capacity);
        loop {
            let chunk = response.chunk().await.map_err(|e| Error::KvProtocol {
                endpoint: self.endpoint(url),
                reason: format!("{what}: response body cut short ({})", e.without_url()),
            })?;
            let Some(chunk) = chunk else {
                return Ok(body);
            };
            if body.len() + chunk.len() > limit {
                return Err(too_large(None, body.len() + chunk.len()));
            }
            body.extend_from_slice(&chunk);
        }
    }

    async fn get_metadata(&self, key: &str) -> Result<Option<Metadata>> {
        let url = self.key_url("metadata", key);
        match self
            .call_json::<Option<Metadata>>(
                Method::GET,
                &url,
                "read metadata",
                Some(key),
                limits::MAX_ENVELOPE_RESPONSE_BYTES,
                |r| r,
            )
            .await
        {
            Ok((metadata, _)) => Ok(metadata.filter(|m| !m.is_null())),
            Err(Error::KeyNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_bytes(&self, key: &str) -> Result<Option<(Vec<u8>, Option<i64>)>> {
        let url = self.key_url("values", key);
        let response = self.send(Method::GET, &url, |r| r).await?;
        let status = response.status().as_u16();
        let expiration = response
            .headers()
            .get("expiration")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        let limit = if status == 200 {
            limits::MAX_VALUE_RESPONSE_BYTES
        } else {
            limits::MAX_ENVELOPE_RESPONSE_BYTES
        };
        let body = self
            .read_capped(response, &url, "read value", limit)
            .await?;
        if status == 200 {
            return Ok(Some((body, expiration)));
        }
        match envelope_error(status, &body, Some(key)) {
            Some(Error::KeyNotFound { .. }) => Ok(None),
            Some(err) => Err(err),
            None => Err(Error::KvProtocol {
                endpoint: self.endpoint(&url),
                reason: format!("read value: HTTP {status} without an error"),
            }),
        }
    }

    async fn bulk_call(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        count: usize,
        what: &str,
    ) -> Result<BulkOutcome> {
        let url = format!("{}/{path}", self.namespace_url());
        let body = bytes::Bytes::from(body);
        let (result, _): (Option<BulkResult>, _) = self
            .call_json(
                method,
                &url,
                what,
                None,
                limits::MAX_BULK_RESULT_RESPONSE_BYTES,
                |r| {
                    r.header("content-type", "application/json")
                        .body(body.clone())
                },
            )
            .await?;
        let result = result.unwrap_or_default();
        Ok(BulkOutcome {
            succeeded: result
                .successful_key_count
                .unwrap_or(count.saturating_sub(result.unsuccessful_keys.len())),
            failed: result.unsuccessful_keys,
        })
    }
}

/// The wait a `Retry-After` header asks for (delta-seconds; Cloudflare sends no HTTP dates),
/// clamped to [`MAX_RETRY_AFTER`]; `None` for anything else (negative, not finite, a date,
/// text), which gets the backoff instead.
fn parse_retry_after(header: &str) -> Option<Duration> {
    let seconds = header.trim().parse::<f64>().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    // Compared before converting: `Duration::from_secs_f64` panics on 1e30.
    Some(if seconds >= MAX_RETRY_AFTER.as_secs_f64() {
        MAX_RETRY_AFTER
    } else {
        Duration::from_secs_f64(seconds)
    })
}

/// The exponential backoff before retry `attempt` + 1 (`attempt` counts from 1): `base_backoff`
/// doubled per attempt, capped at `max_backoff`, drawn uniformly between half and all of it so
/// that clients failing together do not retry together.
fn backoff_with_jitter(attempt: u32, policy: &RetryPolicy, rng: &mut impl rand::Rng) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    let full = policy
        .base_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff)
        .min(MAX_RETRY_AFTER);
    let half = full / 2;
    let nanos = u64::try_from(full.saturating_sub(half).as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(rng.random_range(0..=nanos))
}

/// How long to wait after a 429 on attempt `attempt` (from 1): the server's `Retry-After`
/// (clamped to [`MAX_RETRY_AFTER`]) when it sends a usable one, else the jittered backoff;
/// never more than the policy's `max_backoff`.
fn wait_for_429(
    header: Option<&str>,
    attempt: u32,
    policy: &RetryPolicy,
    rng: &mut impl rand::Rng,
) -> Duration {
    match header.and_then(parse_retry_after) {
        Some(asked) => asked.min(policy.max_backoff),
        None => backoff_with_jitter(attempt, policy, rng),
    }
}

/// The typed error an error envelope stands for, or `None` when the body reports success.
fn envelope_error(status: u16, body: &[u8], key: Option<&str>) -> Option<Error> {
    let envelope: Option<Envelope> = serde_json::from_slice(body).ok();
    let ok_status = (200..300).contains(&status);
    match envelope {
        Some(env) if env.success && ok_status => None,
        Some(env) => {
            let first = env.errors.into_iter().next();
            let (code, message) = first
                .map(|m| (m.code, m.message))
                .unwrap_or((0, format!("HTTP {status}")));
            Some(map_code(status, code, message, key))
        }
        None if ok_status => None,
        None => Some(Error::KvApi {
            status,
            code: 0,
            message: format!("HTTP {status} with a body that is not a Cloudflare envelope"),
        }),
    }
}

fn map_code(status: u16, code: u32, message: String, key: Option<&str>) -> Error {
    match code {
        10009 => Error::KeyNotFound {
            key: key.unwrap_or_default().to_owned(),
        },
        10013 => Error::NamespaceNotFound { namespace: message },
        10000 | 9106 | 9109 | 6003 | 6111 => Error::KvAuth { code },
        10037 => Error::KvPermission { message },
        10048 => Error::KvQuotaExceeded,
        _ => Error::KvApi {
            status,
            code,
            message,
        },
    }
}

/// Splits bulk items into requests of at most 10,000 items and about 95 MB each.
fn chunk_by_size<T>(items: &[T], size_of: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, item) in items.iter().enumerate() {
        let size = size_of(item);
        if i > start && (i - start == limits::MAX_BULK_ITEMS || bytes + size > MAX_BULK_BODY_BYTES)
        {
            chunks.push(&items[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < items.len() {
        chunks.push(&items[start..]);
    }
    chunks
}

#[async_trait]
impl KvStore for CloudflareStore {
    fn describe(&self) -> String {
        format!(
            "Cloudflare namespace {} (account {}) at {}",
            self.config.namespace_id, self.config.account_id, self.config.base_url
        )
    }

    async fn list(&self, options: &ListOptions) -> Result<KeyPage> {
        limits::check_list(options.limit, options.prefix.as_deref())?;
        let url = format!("{}/keys", self.namespace_url());
        let mut cursor = options.cursor.clone().filter(|c| !c.is_empty());
        let limit = options.limit.unwrap_or(limits::MAX_LIST_LIMIT);
        let listing = match options.prefix.as_ref().filter(|p| !p.is_empty()) {
            Some(prefix) => format!("keys under {prefix:?} at {url}"),
            None => format!("keys at {url}"),
        };
        // The empty pages one call follows, under the rule of every listing.
        let mut guard = PagingGuard::new(listing, limit, cursor.as_deref());
        loop {
            let mut query: Vec<(&str, String)> = vec![("limit", limit.to_string())];
            if let Some(prefix) = options.prefix.as_ref().filter(|p| !p.is_empty()) {
                query.push(("prefix", prefix.clone()));
            }
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.clone()));
            }
            let (listed, next): (Vec<ListedKey>, _) = self
                .call_json(
                    Method::GET,
                    &url,
                    "list keys",
                    None,
                    limits::MAX_LIST_RESPONSE_BYTES,
                    |r| r.query(&query),
                )
                .await?;
            guard.page(listed.len(), next.as_deref())?;
            // An empty page that still has a cursor means "keep going" (expired keys filtered
            // out); the guard ends a run of them that would not end.
            if listed.is_empty() && next.is_some() {
                cursor = next;
                continue;
            }
            let keys = listed
                .into_iter()
                .map(|k| KeyInfo {
                    name: k.name,
                    expiration: k.expiration,
                    metadata: k.metadata,
                })
                .collect();
            return Ok(KeyPage { keys, cursor: next });
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Value>> {
        limits::check_key(key)?;
        let (bytes, metadata) = tokio::try_join!(self.get_bytes(key), self.get_metadata(key))?;
        Ok(bytes.map(|(bytes, expiration)| Value {
            bytes,
            expiration,
            metadata,
        }))
    }

    async fn put(&self, key: &str, value: &[u8], options: &PutOptions) -> Result<()> {
        limits::check_put(key, value.len(), options, unix_now())?;
        let url = self.key_url("values", key);
        let mut query: Vec<(&str, String)> = Vec::new();
        match options.expiry {
            Expiry::Never => {}
            Expiry::Ttl(ttl) => query.push(("expiration_ttl", ttl.to_string())),
            Expiry::At(at) => query.push(("expiration", at.to_string())),
        }
        let metadata = options.metadata.as_ref().map(|m| m.to_string());
        let value = bytes::Bytes::copy_from_slice(value);
        self.call_json::<serde_json::Value>(
            Method::PUT,
            &url,
            "write value",
            Some(key),
            limits::MAX_ENVELOPE_RESPONSE_BYTES,
            |r| {
                let r = r.query(&query);
                match &metadata {
                    // Metadata travels only in a multipart body: a `value` part and a `metadata` part.
                    Some(metadata) => r.multipart(
                        reqwest::multipart::Form::new()
                            .part("value", reqwest::multipart::Part::stream(value.clone()))
                            .text("metadata", metadata.clone()),
                    ),
                    None => r
                        .header("content-type", "application/octet-stream")
                        .body(value.clone()),
                }
            },
        )
        .await
        .map(drop)
    }

    async fn delete(&self, key: &str) -> Result<()> {
        limits::check_key(key)?;
        let url = self.key_url("values", key);
        match self
            .call_json::<serde_json::Value>(
                Method::DELETE,
                &url,
                "delete key",
                Some(key),
                limits::MAX_ENVELOPE_RESPONSE_BYTES,
                |r| r,
            )
            .await
        {
            Ok(_) | Err(Error::KeyNotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome> {
        let now = unix_now();
        limits::check_entries(entries, now)?;
        let mut outcome = BulkOutcome::default();
        // Base64 grows values by a third; size the chunks by what will be sent.
        for chunk in chunk_by_size(entries, |e| e.key.len() + e.value.len() * 4 / 3 + 256) {
            let items: Vec<BulkItem> = chunk
                .iter()
                .map(|e| {
                    let (value, base64) = match std::str::from_utf8(&e.value) {
                        Ok(text) => (text.to_owned(), false),
                        Err(_) => (
                            base64::engine::general_purpose::STANDARD.encode(&e.value),
                            true,
                        ),
                    };
                    let (expiration, expiration_ttl) = match e.options.expiry {
                        Expiry::Never => (None, None),
                        Expiry::Ttl(ttl) => (None, Some(ttl)),
                        Expiry::At(at) => (Some(at), None),
                    };
                    BulkItem {
                        key: &e.key,
                        value,
                        base64,
                        expiration,
                        expiration_ttl,
                        metadata: e.options.metadata.as_ref(),
                    }
                })
                .collect();
            let body = serde_json::to_vec(&items)
                .map_err(|e| Error::invalid("bulk write body", e.to_string()))?;
            outcome.absorb(
                self.bulk_call(Method::PUT, "bulk", body, chunk.len(), "bulk write")
                    .await?,
            );
        }
        Ok(outcome)
    }

    async fn bulk_delete(&self, keys: &[String]) -> Result<BulkOutcome> {
        keys.iter().try_for_each(|k| limits::check_key(k))?;
        let mut outcome = BulkOutcome::default();
        for chunk in chunk_by_size(keys, |k| k.len() + 4) {
            let body = serde_json::to_vec(chunk)
                .map_err(|e| Error::invalid("bulk delete body", e.to_string()))?;
            outcome.absorb(
                self.bulk_call(
                    Method::POST,
                    "bulk/delete",
                    body,
                    chunk.len(),
                    "bulk delete",
                )
                .await?,
            );
        }
        Ok(outcome)
    }

    async fn bulk_get(&self, keys: &[String]) -> Result<Vec<Option<Value>>> {
        keys.iter().try_for_each(|k| limits::check_key(k))?;
        let url = format!("{}/bulk/get", self.namespace_url());
        let mut values = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(limits::MAX_BULK_GET_KEYS) {
            let body = serde_json::json!({ "keys": chunk, "type": "text", "withMetadata": true });
            let (result, _): (BulkGetResult, _) = self
                .call_json(
                    Method::POST,
                    &url,
                    "bulk read",
                    None,
                    limits::MAX_BULK_GET_RESPONSE_BYTES,
                    |r| r.json(&body),
                )
                .await?;
            for key in chunk {
                let item = result
                    .values
                    .get(key)
                    .map(|raw| serde_json::from_str::<Option<BulkGetItem>>(raw.get()))
                    .transpose()
                    .map(Option::flatten)
                    .map_err(|e| Error::KvProtocol {
                        endpoint: self.endpoint(&url),
                        reason: format!("bulk read: unexpected item for {key:?} ({e})"),
                    })?;
                values.push(item.and_then(|item| {
                    let bytes = match item.value? {
                        serde_json::Value::String(s) => s.into_bytes(),
                        other => other.to_string().into_bytes(),
                    };
                    Some(Value {
                        bytes,
                        expiration: item.expiration,
                        metadata: item.metadata,
                    })
                }));
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_segments_escape_everything_but_unreserved() {
        let enc = |k| utf8_percent_encode(k, KEY_SEGMENT).to_string();
        assert_eq!(enc("user:1/a b%"), "user%3A1%2Fa%20b%25");
        assert_eq!(enc("ümlaut-._~"), "%C3%BCmlaut-._~");
    }

    #[test]
    fn bulk_chunks_respect_count_and_size() {
        let keys: Vec<usize> = (0..25_000).collect();
        let sizes: Vec<usize> = chunk_by_size(&keys, |_| 1)
            .iter()
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, vec![10_000, 10_000, 5_000]);
        let big: Vec<usize> = (0..5).collect();
        let sizes: Vec<usize> = chunk_by_size(&big, |_| 40_000_000)
            .iter()
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, vec![2, 2, 1]);
    }

    #[test]
    fn the_default_limiter_admits_its_burst_then_paces() {
        let limiter = RateLimit::CLOUDFLARE.limiter();
        let admitted = (0..200).take_while(|_| limiter.check().is_ok()).count();
        // 50 at once, then one every 300 s / 1150 ≈ 261 ms: 50 + 1150 = 1200 in any 5 minutes.
        assert_eq!(admitted, 50);
    }

    fn rng() -> rand_chacha::ChaCha8Rng {
        rand::SeedableRng::seed_from_u64(15)
    }

    /// A policy that lets the clamp of `Retry-After` show: waits of up to an hour.
    const LONG: RetryPolicy = RetryPolicy {
        max_attempts: 5,
        base_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(3600),
    };

    #[test]
    fn retry_after_is_clamped_to_ten_minutes_and_never_panics() {
        let mut rng = rng();
        for (header, expected) in [
            ("1e30", MAX_RETRY_AFTER),
            ("1e308", MAX_RETRY_AFTER),
            ("999999999999", MAX_RETRY_AFTER),
            ("600", MAX_RETRY_AFTER),
            ("601", MAX_RETRY_AFTER),
            ("120", Duration::from_secs(120)),
            (" 2.5 ", Duration::from_millis(2500)),
            ("0", Duration::ZERO),
        ] {
            assert_eq!(
                wait_for_429(Some(header), 1, &LONG, &mut rng),
                expected,
                "{header}"
            );
        }
        assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(600));
        // The default policy caps every wait at its max_backoff (60 s).
        let default = RetryPolicy::default();
        assert_eq!(
            wait_for_429(Some("1e30"), 1, &default, &mut rng),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn unusable_retry_after_values_get_the_jittered_backoff() {
        let mut rng = rng();
        for header in [
            None,
            Some("-1"),
            Some("NaN"),
            Some("inf"),
            Some("-inf"),
            Some("soon"),
            Some(""),
            Some("Wed, 21 Oct 2015 07:28:00 GMT"),
        ] {
            for attempt in 1..=4u32 {
                let full = LONG.base_backoff * 2u32.pow(attempt - 1);
                let wait = wait_for_429(header, attempt, &LONG, &mut rng);
                assert!(
                    wait >= full / 2 && wait <= full,
                    "{header:?} attempt {attempt}: {wait:?} outside {:?}..={full:?}",
                    full / 2
                );
            }
        }
    }

    #[test]
    fn backoff_doubles_within_its_cap_and_is_jittered() {
        let mut rng = rng();
        let policy = RetryPolicy {
            max_attempts: 100,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        };
        // Attempt 40 would be 500 ms * 2^39 without the cap; u32::MAX must not overflow either.
        for attempt in [1, 2, 7, 8, 40, u32::MAX] {
            let full = policy
                .base_backoff
                .saturating_mul(2u32.saturating_pow(attempt - 1))
                .min(policy.max_backoff);
            let waits: Vec<Duration> = (0..50)
                .map(|_| backoff_with_jitter(attempt, &policy, &mut rng))
                .collect();
            assert!(
                waits.iter().all(|w| *w >= full / 2 && *w <= full),
                "{attempt}: {waits:?}"
            );
            let distinct: std::collections::HashSet<_> = waits.iter().collect();
            assert!(distinct.len() > 40, "{attempt}: not jittered: {waits:?}");
        }
        assert_eq!(
            backoff_with_jitter(
                1,
                &RetryPolicy {
                    base_backoff: Duration::ZERO,
                    ..policy
                },
                &mut rng
            ),
            Duration::ZERO
        );
    }

    #[test]
    fn cloudflare_codes_map_to_typed_errors() {
        let body = |code: u32| {
            format!(
                r#"{{"success":false,"errors":[{{"code":{code},"message":"m"}}],"messages":[],"result":null}}"#
            )
        };
        assert!(
            matches!(envelope_error(404, body(10009).as_bytes(), Some("k")), Some(Error::KeyNotFound { key }) if key == "k")
        );
        assert!(matches!(
            envelope_error(404, body(10013).as_bytes(), None),
            Some(Error::NamespaceNotFound { .. })
        ));
        assert!(matches!(
            envelope_error(403, body(10000).as_bytes(), None),
            Some(Error::KvAuth { code: 10000 })
        ));
        assert!(matches!(
            envelope_error(403, body(10037).as_bytes(), None),
            Some(Error::KvPermission { .. })
        ));
        assert!(matches!(
            envelope_error(429, body(10048).as_bytes(), None),
            Some(Error::KvQuotaExceeded)
        ));
        assert!(matches!(
            envelope_error(400, body(10021).as_bytes(), None),
            Some(Error::KvApi { code: 10021, .. })
        ));
        assert!(
            envelope_error(200, br#"{"success":true,"errors":[],"result":{}}"#, None).is_none()
        );
    }
}
