//! Giving freed memory back to the system.
//!
//! A follow frees large buffers all the time: each refresh's list of matching rows (4 bytes
//! a call), a findings pass's working sets, a column moved to a bigger buffer. glibc's
//! allocator serves a large block from the system directly (and returns it when freed) only
//! until a block that size is freed; from then on blocks up to 32 MB come from its arenas,
//! where what is freed stays, split up around small blocks still in use. Measured while
//! following (2 million calls loaded, 500 a second arriving), that free space grew by 90 MB
//! in two minutes while the rows held grew by 25 MB. So: large blocks always come from the
//! system ([`tune`], at start), and the free pages of the arenas are returned now and then
//! ([`give_back`]), which keeps resident memory in line with the rows held.

/// Blocks from this size up are mapped from the system and unmapped when freed.
const MAP_FROM: i32 = 1 << 20;

/// Sets the allocator up for a long run (glibc on Linux; elsewhere nothing to do). Call it
/// before anything large is allocated.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; it takes no pointer.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM);
    }
}

/// Returns the allocator's free pages to the system (glibc on Linux; elsewhere nothing to do).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}
