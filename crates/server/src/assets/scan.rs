//! The optional virus scan: the file goes to ClamAV's clamd over `zINSTREAM` (length-prefixed
//! chunks, then a zero length) and clamd answers `stream: OK` or `stream: <name> FOUND`. When a
//! scanner is configured and does not answer, uploads are refused rather than let through.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHUNK: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature's name.
    Infected(String),
}

/// Sends the file at `path` to the clamd at `url` (`tcp://host:port` or `host:port`).
pub async fn scan(url: &str, path: &Path) -> anyhow::Result<Verdict> {
    tokio::time::timeout(TIMEOUT, exchange(url, path)).await.context("clamd did not answer in time")?
}

async fn exchange(url: &str, path: &Path) -> anyhow::Result<Verdict> {
    let address = url.trim_start_matches("tcp://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(address).await.with_context(|| format!("connecting to clamd at {address}"))?;
    stream.write_all(b"zINSTREAM\0").await?;
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        stream.write_all(&u32::try_from(n)?.to_be_bytes()).await?;
        stream.write_all(&buf[..n]).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    parse(&String::from_utf8_lossy(&answer))
}

fn parse(answer: &str) -> anyhow::Result<Verdict> {
    let answer = answer.trim_end_matches(['\0', '\n']).trim();
    let body = answer.strip_prefix("stream:").map(str::trim).unwrap_or(answer);
    if body == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(name) = body.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(name.trim().to_owned()));
    }
    bail!("clamd answered {answer:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_are_read() {
        assert_eq!(parse("stream: OK\0").unwrap(), Verdict::Clean);
        assert_eq!(parse("stream: Eicar-Test-Signature FOUND\0").unwrap(), Verdict::Infected("Eicar-Test-Signature".into()));
        assert!(parse("INSTREAM size limit exceeded. ERROR\0").is_err());
    }
}
