//! The pet's photo, small, beside its name: on board cards, list rows and the addresses page.
//! Sized before it loads (its box never moves what is around it) and fetched only when near the
//! screen; a pet without a photo gets a placeholder of the same size.

use leptos::prelude::*;
use petpixel_types::project::PetPhoto;

#[component]
pub fn PetThumb(photo: Option<PetPhoto>, #[prop(default = 44)] size: u32) -> impl IntoView {
    match photo {
        Some(p) => view! {
            <img class="pet-thumb" src=p.thumbnail_url alt="" width=size height=size loading="lazy" decoding="async" />
        }
        .into_any(),
        None => {
            view! { <span class="pet-thumb none" aria-hidden="true" style=format!("width:{size}px;height:{size}px")></span> }.into_any()
        }
    }
}
