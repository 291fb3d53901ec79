//! A fault-injecting HTTP proxy on 127.0.0.1, between an SDK client and moto's server.
//!
//! The proxy reads each HTTP/1.1 request whole and counts it as one attempt. The first
//! attempts get the faults of a script, in order: an AWS error response, a connection reset,
//! or a connection that never responds. Every later attempt gets the fault set for the rest,
//! which may be to forward the request to moto's server. It forwards with
//! `Connection: close` and closes the client connection after passing the response back,
//! so each forwarded request is one exchange with moto.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The maximum time a hung connection is held open, so that no test waits on the proxy forever.
const MAX_HANG: Duration = Duration::from_secs(20);

/// The largest request the proxy reads; SNS publishes here are a few kilobytes.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// What the proxy does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Responds with this HTTP status and an SNS (awsQuery) error with this code.
    Error(u16, &'static str),
    /// Resets the connection (TCP RST) without a response.
    Reset,
    /// Keeps the connection open without a response, until the client gives up.
    Hang,
    /// Forwards the request to moto's server and passes its response back.
    Forward,
    /// Forwards the request to moto's server, then resets the client's connection instead
    /// of passing the response back: the call took effect, but the client cannot know.
    ForwardThenReset,
}

/// SNS's throttling error, as the Query protocol returns it.
pub(crate) const THROTTLING: Fault = Fault::Error(400, "Throttling");
/// KMS throttling a publish to an encrypted topic (`KMSThrottlingException`), which the
/// SNS model does not mark retryable.
pub(crate) const KMS_THROTTLING: Fault = Fault::Error(400, "KMSThrottling");
/// An internal error.
pub(crate) const INTERNAL_ERROR: Fault = Fault::Error(500, "InternalError");
/// A service that is not available.
pub(crate) const SERVICE_UNAVAILABLE: Fault = Fault::Error(503, "ServiceUnavailable");
/// A client error that no retry can fix.
pub(crate) const AUTHORIZATION_ERROR: Fault = Fault::Error(403, "AuthorizationError");

/// A running proxy; it stops when dropped.
pub(crate) struct Proxy {
    address: SocketAddr,
    attempts: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1 that applies `script` to the first
    /// attempts and `rest` to every later one, forwarding to `upstream` (moto's server).
    pub(crate) async fn start(script: Vec<Fault>, rest: Fault, upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy on 127.0.0.1");
        let address = listener.local_addr().expect("proxy address");
        let attempts = Arc::new(AtomicUsize::new(0));
        let plan = Arc::new((script, rest));
        let counter = Arc::clone(&attempts);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let plan = Arc::clone(&plan);
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    serve(stream, &plan.0, plan.1, &counter, upstream).await;
                });
            }
        });
        Proxy {
            address,
            attempts,
            task,
        }
    }

    /// Returns the endpoint URL to give an SDK client.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the number of requests received so far.
    pub(crate) fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Returns the address of moto's server, from `AWS_ENDPOINT_URL` (`http://127.0.0.1:PORT`).
pub(crate) fn moto_address() -> SocketAddr {
    let url = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL is unset: run the tests under scripts/with-moto (make test)");
    let host_port = url
        .strip_prefix("http://")
        .expect("AWS_ENDPOINT_URL starts with http://")
        .trim_end_matches('/');
    let address: SocketAddr = host_port
        .parse()
        .unwrap_or_else(|err| panic!("AWS_ENDPOINT_URL={url}: {err}"));
    assert!(
        address.ip().is_loopback(),
        "AWS_ENDPOINT_URL={url} is not on loopback"
    );
    address
}

/// Serves the requests of one client connection.
async fn serve(
    mut client: TcpStream,
    script: &[Fault],
    rest: Fault,
    counter: &AtomicUsize,
    upstream: SocketAddr,
) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut client, &mut buffer).await {
        let attempt = counter.fetch_add(1, Ordering::SeqCst);
        let fault = script.get(attempt).copied().unwrap_or(rest);
        match fault {
            Fault::Error(status, code) => {
                if client
                    .write_all(&error_response(status, code, attempt))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Fault::Reset => {
                reset(client);
                return;
            }
            Fault::Hang => {
                // Wait for the client to close the connection, reading whatever it sends.
                let mut sink = [0_u8; 4096];
                let _ = tokio::time::timeout(MAX_HANG, async {
                    while matches!(client.read(&mut sink).await, Ok(read) if read > 0) {}
                })
                .await;
                return;
            }
            Fault::Forward => {
                if let Some(response) = forward(&request, upstream).await {
                    let _ = client.write_all(&response).await;
                }
                return;
            }
            Fault::ForwardThenReset => {
                let _ = forward(&request, upstream).await;
                reset(client);
                return;
            }
        }
    }
}

/// Closes a connection with a TCP reset.
fn reset(client: TcpStream) {
    let _ = client.set_zero_linger();
    drop(client);
}

/// Reads one request (head and `Content-Length` body) from the connection; `None` at the end
/// of the stream. Bytes past the request stay in `buffer` for the next one.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut chunk = [0_u8; 16 * 1024];
    loop {
        if let Some(head_end) = find(buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
            let body_length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let total = head_end + 4 + body_length;
            if buffer.len() >= total {
                let rest = buffer.split_off(total);
                return Some(std::mem::replace(buffer, rest));
            }
        }
        if buffer.len() > MAX_REQUEST_BYTES {
            return None;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Sends a request to moto's server with `Connection: close` and returns its whole response.
async fn forward(request: &[u8], upstream: SocketAddr) -> Option<Vec<u8>> {
    let head_end = find(request, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&request[..head_end]);
    let mut rewritten: String = head
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    rewritten.push_str("Connection: close\r\n\r\n");

    let exchange = async {
        let mut moto = TcpStream::connect(upstream).await.ok()?;
        moto.write_all(rewritten.as_bytes()).await.ok()?;
        moto.write_all(&request[head_end + 4..]).await.ok()?;
        let mut response = Vec::new();
        moto.read_to_end(&mut response).await.ok()?;
        Some(response)
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .ok()
        .flatten()
}

/// Builds an SNS error response in the Query protocol's XML.
fn error_response(status: u16, code: &str, attempt: usize) -> Vec<u8> {
    let kind = if status < 500 { "Sender" } else { "Receiver" };
    let body = format!(
        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\
         <Error><Type>{kind}</Type><Code>{code}</Code>\
         <Message>{code} injected by the test proxy</Message></Error>\
         <RequestId>proxy-{attempt}</RequestId></ErrorResponse>"
    );
    format!(
        "HTTP/1.1 {status} {code}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
         x-amzn-RequestId: proxy-{attempt}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
