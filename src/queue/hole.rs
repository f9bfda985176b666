//! A hole in a slice: the priority heap's sifting moves each entry once per level
//! instead of swapping two, and fills the hole again even if a comparison panics.
//! The same technique as std's `BinaryHeap`.

use std::mem::ManuallyDrop;
use std::ptr;

/// A slice with one slot logically empty: its element is held in `elt` until the
/// hole is dropped, which writes it back at the hole's current position.
pub(crate) struct Hole<'a, T> {
    data: &'a mut [T],
    elt: ManuallyDrop<T>,
    pos: usize,
}

impl<'a, T> Hole<'a, T> {
    /// Takes the element at `pos` out of `data`, leaving a hole there.
    ///
    /// # Panics
    ///
    /// If `pos` is out of bounds (a bug in the heap, never caused by user input).
    #[inline]
    pub(crate) fn new(data: &'a mut [T], pos: usize) -> Self {
        assert!(pos < data.len());
        // SAFETY: `pos` is in bounds. The slot keeps its bits but is logically
        // empty from now on: nothing reads it as an owned value until `drop` or
        // `move_to` overwrites it, so the element is owned exactly once (by `elt`).
        let elt = unsafe { ptr::read(&data[pos]) };
        Hole {
            data,
            elt: ManuallyDrop::new(elt),
            pos,
        }
    }

    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The element taken out.
    #[inline]
    pub(crate) fn element(&self) -> &T {
        &self.elt
    }

    /// The element at `index`, which must not be the hole.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> &T {
        debug_assert_ne!(index, self.pos);
        &self.data[index]
    }

    /// Moves the element at `index` into the hole; the hole is now at `index`.
    #[inline]
    pub(crate) fn move_to(&mut self, index: usize) {
        assert!(index < self.data.len() && index != self.pos);
        // SAFETY: both indices are in bounds and distinct (asserted), so the copy
        // does not overlap. The element at `index` now lives in the old hole and
        // the slot at `index` becomes the (logically empty) hole: still exactly
        // one owner per element.
        unsafe {
            let base = self.data.as_mut_ptr();
            ptr::copy_nonoverlapping(base.add(index), base.add(self.pos), 1);
        }
        self.pos = index;
    }
}

impl<T> Drop for Hole<'_, T> {
    /// Fills the hole with the element taken out: runs on success and when a
    /// comparison panics, so the slice always ends with every element exactly once.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `pos` is in bounds (checked whenever it was set) and the slot is
        // logically empty, so writing `elt` there (without dropping the stale bits)
        // hands its ownership back to the slice; `elt` is never used again.
        unsafe {
            let slot: *mut T = &mut self.data[self.pos];
            ptr::copy_nonoverlapping(&*self.elt, slot, 1);
        }
    }
}
