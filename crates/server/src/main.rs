fn main() -> std::process::ExitCode {
    petpixel_server::cli::main()
}
