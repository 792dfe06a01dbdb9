//! A QR code of the game's link, drawn as SVG in the page (nothing fetched), to print on the
//! customer's card.

use leptos::prelude::*;

#[component]
pub fn QrCode(text: String) -> impl IntoView {
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
        .unwrap_or_default();
    let download = format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(&svg));
    view! {
        <figure class="qr">
            <div class="qr-code" role="img" aria-label=format!("QR code of {text}") inner_html=svg></div>
            <figcaption><a class="link small" href=download download="game-qr.svg">"Download the QR code"</a></figcaption>
        </figure>
    }
}
