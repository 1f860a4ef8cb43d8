fn main() -> std::process::ExitCode {
    incident::run(std::env::args_os())
}
