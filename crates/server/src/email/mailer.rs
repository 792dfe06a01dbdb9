//! The SMTP sender: built once per process from `SMTP_URL`, kept in the app state. Apart from
//! the job that uses it, so the state needs nothing of the job queue.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::entities::email_outbox;

/// The SMTP connection pool and sender, built once per process from `SMTP_URL`.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `None` without `SMTP_URL`.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not a valid SMTP address: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config.email_from.parse().map_err(|e| anyhow::anyhow!("PETPIXEL_EMAIL_FROM is not a valid address: {e}"))?;
        Ok(Some(Mailer { transport, from }))
    }

    pub(super) async fn send(&self, row: &email_outbox::Model) -> anyhow::Result<()> {
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(row.to_address.parse()?)
            .subject(&row.subject)
            // Lets a receiving server drop a second copy of the same message.
            .message_id(Some(format!("<{}@petpixel.studio>", row.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())?;
        self.transport.send(message).await?;
        Ok(())
    }
}
