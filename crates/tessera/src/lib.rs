//! tessera (work in progress)
