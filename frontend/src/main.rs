//! PetPixel Studio's web app. Built by `cargo xtask build-frontend` into `frontend/dist`, which
//! the server embeds and serves.

mod app;
mod form;
mod pages;
mod session;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
