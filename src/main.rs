//! The `cdrscope` binary: everything lives in the library; this only runs the command line.

fn main() -> std::process::ExitCode {
    cdrscope::memory::tune();
    cdrscope::cli::run()
}
