//! `callback-desk-cli`: the command-line companion for support staff.

fn main() {
    println!("callback-desk-cli {}", env!("CARGO_PKG_VERSION"));
}
