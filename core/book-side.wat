;; The level updates of one side of the L2 book (core/book.ts holds the rest of the book and
;; says why this part is WebAssembly). Assembled into core/book-side.wasm.ts by
;; `npm run build:wasm`; a test checks that the embedded bytes are this file's.
;;
;; Addresses are byte offsets into the book's own memory. A side is `cap` f64 prices followed
;; by `cap` f64 sizes (`qty` = `px` + 8 * cap); its live levels, best first, are ranks
;; [a, a + n) of that window. Prices compare through (x - price) * dir > 0, "x is better than
;; price" (dir 1: bids, descending; -1: asks, ascending); a difference of two finite doubles
;; has the sign of their order, so this is exact, as in the JavaScript it replaced.
;;
;; applySide applies the staged input levels j..m of one side (price at inPx, size at inQty,
;; 8 bytes apart), records each real change as (side, price, old size, new size) in four f64
;; columns from row k, and writes a, n, k and j to the header (i32 at bytes 0, 4, 8, 12). It
;; returns 0 when every level is applied and 1 when an insert found the side full (more than a
;; quarter of cap live and no room at the end it needs): nothing of level j is applied then,
;; and the caller grows the side and calls again from j.
(module
  (memory (export "mem") 1)

  ;; Copies len bytes from src to dst, and the same bytes d further on (the sizes behind the
  ;; prices); overlapping, either direction. A loop for short runs, where memory.copy's call
  ;; costs more than the copy.
  (func $move2 (param $dst i32) (param $src i32) (param $len i32) (param $d i32)
    (local $end i32)
    (if (i32.gt_u (local.get $len) (i32.const 256))
      (then
        (memory.copy (local.get $dst) (local.get $src) (local.get $len))
        (memory.copy (i32.add (local.get $dst) (local.get $d)) (i32.add (local.get $src) (local.get $d)) (local.get $len))
        (return)))
    (if (i32.lt_u (local.get $dst) (local.get $src))
      (then
        (local.set $end (i32.add (local.get $src) (local.get $len)))
        (block $out
          (loop $copy
            (br_if $out (i32.ge_u (local.get $src) (local.get $end)))
            (f64.store (local.get $dst) (f64.load (local.get $src)))
            (f64.store (i32.add (local.get $dst) (local.get $d)) (f64.load (i32.add (local.get $src) (local.get $d))))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
            (br $copy))))
      (else
        (local.set $end (local.get $src))
        (local.set $src (i32.add (local.get $src) (local.get $len)))
        (local.set $dst (i32.add (local.get $dst) (local.get $len)))
        (block $out
          (loop $copy
            (br_if $out (i32.le_u (local.get $src) (local.get $end)))
            (local.set $src (i32.sub (local.get $src) (i32.const 8)))
            (local.set $dst (i32.sub (local.get $dst) (i32.const 8)))
            (f64.store (local.get $dst) (f64.load (local.get $src)))
            (f64.store (i32.add (local.get $dst) (local.get $d)) (f64.load (i32.add (local.get $src) (local.get $d))))
            (br $copy))))))

  (func (export "applySide")
    (param $px i32) (param $cap i32) (param $a i32) (param $n i32)
    (param $inPx i32) (param $inQty i32) (param $j i32) (param $m i32)
    (param $dir f64) (param $side f64) (param $ch i32) (param $chStride i32) (param $k i32)
    (result i32)
    (local $qty i32) (local $d i32) (local $price f64) (local $size f64) (local $old f64)
    (local $i i32) (local $lo i32) (local $hi i32) (local $mid i32) (local $at i32) (local $b i32)
    (local $row i32) (local $status i32) (local $s i32) (local $hint i32)
    (local.set $d (i32.shl (local.get $cap) (i32.const 3)))
    (local.set $qty (i32.add (local.get $px) (local.get $d)))
    (block $done
      (loop $level
        (br_if $done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $price (f64.load (i32.add (local.get $inPx) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $size (f64.load (i32.add (local.get $inQty) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))

        ;; i: the first rank not better than price, galloping from rank s, then a binary
        ;; search in the bracket found. s is the rank the previous level of this message
        ;; found when every rank before it is better than this price (an exchange lists a
        ;; side's levels best first, so each search starts where the last one ended), else
        ;; the best level (most updates land near the top).
        (local.set $s (local.get $hint))
        (if (i32.gt_s (local.get $s) (local.get $n)) (then (local.set $s (local.get $n))))
        (if (i32.gt_s (local.get $s) (i32.const 0))
          (then
            (if (i32.eqz (f64.gt (f64.mul (f64.sub
                  (f64.load (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (i32.sub (local.get $s) (i32.const 1))) (i32.const 3))))
                  (local.get $price)) (local.get $dir)) (f64.const 0)))
              (then (local.set $s (i32.const 0))))))
        (local.set $i (local.get $s))
        (if (i32.lt_s (local.get $s) (local.get $n))
          (then
            (if (f64.gt (f64.mul (f64.sub
                  (f64.load (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (local.get $s)) (i32.const 3))))
                  (local.get $price)) (local.get $dir)) (f64.const 0))
              (then
                (local.set $lo (i32.add (local.get $s) (i32.const 1)))
                (local.set $hi (i32.add (local.get $s) (i32.const 2)))
                (block $bracketed
                  (loop $gallop
                    (br_if $bracketed (i32.ge_s (local.get $hi) (local.get $n)))
                    (br_if $bracketed (i32.eqz (f64.gt (f64.mul (f64.sub
                      (f64.load (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (i32.sub (local.get $hi) (i32.const 1))) (i32.const 3))))
                      (local.get $price)) (local.get $dir)) (f64.const 0))))
                    (local.set $lo (local.get $hi))
                    (local.set $hi (i32.add (local.get $s) (i32.shl (i32.sub (local.get $hi) (local.get $s)) (i32.const 1))))
                    (br $gallop)))
                (if (i32.gt_s (local.get $hi) (local.get $n)) (then (local.set $hi (local.get $n))))
                (block $found
                  (loop $bisect
                    (br_if $found (i32.ge_s (local.get $lo) (local.get $hi)))
                    (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
                    (if (f64.gt (f64.mul (f64.sub
                          (f64.load (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (local.get $mid)) (i32.const 3))))
                          (local.get $price)) (local.get $dir)) (f64.const 0))
                      (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
                      (else (local.set $hi (local.get $mid))))
                    (br $bisect)))
                (local.set $i (local.get $lo))))))
        ;; Every rank before i is better than this price, whatever this level does to rank i.
        (local.set $hint (local.get $i))
        (local.set $at (i32.shl (i32.add (local.get $a) (local.get $i)) (i32.const 3)))

        (if (i32.and (i32.lt_s (local.get $i) (local.get $n))
                     (f64.eq (f64.load (i32.add (local.get $px) (local.get $at))) (local.get $price)))
          (then
            ;; a level at this price: resize it, or remove it moving the shorter part
            (local.set $old (f64.load (i32.add (local.get $qty) (local.get $at))))
            (br_if $level (f64.eq (local.get $old) (local.get $size)))
            (if (f64.eq (local.get $size) (f64.const 0))
              (then
                (if (i32.lt_s (local.get $i) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i)))
                  (then
                    (call $move2
                      (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (i32.const 1)) (i32.const 3)))
                      (i32.add (local.get $px) (i32.shl (local.get $a) (i32.const 3)))
                      (i32.shl (local.get $i) (i32.const 3)) (local.get $d))
                    (local.set $a (i32.add (local.get $a) (i32.const 1))))
                  (else
                    (call $move2
                      (i32.add (local.get $px) (local.get $at))
                      (i32.add (local.get $px) (i32.add (local.get $at) (i32.const 8)))
                      (i32.shl (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i)) (i32.const 3)) (local.get $d))))
                (local.set $n (i32.sub (local.get $n) (i32.const 1))))
              (else
                (f64.store (i32.add (local.get $qty) (local.get $at)) (local.get $size)))))
          (else
            ;; no level at this price: a zero size changes nothing; else insert at rank i
            (br_if $level (f64.eq (local.get $size) (f64.const 0)))
            (local.set $old (f64.const 0))
            (if (i32.or (i32.eqz (local.get $a)) (i32.eq (i32.add (local.get $a) (local.get $n)) (local.get $cap)))
              (then
                ;; no room at one end: recenter, or hand back to grow the side
                (if (i32.gt_s (i32.shl (local.get $n) (i32.const 2)) (local.get $cap))
                  (then
                    (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                    (local.set $status (i32.const 1))
                    (br $done)))
                (local.set $b (i32.shr_u (i32.sub (local.get $cap) (local.get $n)) (i32.const 1)))
                (call $move2
                  (i32.add (local.get $px) (i32.shl (local.get $b) (i32.const 3)))
                  (i32.add (local.get $px) (i32.shl (local.get $a) (i32.const 3)))
                  (i32.shl (local.get $n) (i32.const 3)) (local.get $d))
                (local.set $a (local.get $b))))
            (if (i32.lt_s (local.get $i) (i32.sub (local.get $n) (local.get $i)))
              (then
                (call $move2
                  (i32.add (local.get $px) (i32.shl (i32.sub (local.get $a) (i32.const 1)) (i32.const 3)))
                  (i32.add (local.get $px) (i32.shl (local.get $a) (i32.const 3)))
                  (i32.shl (local.get $i) (i32.const 3)) (local.get $d))
                (local.set $a (i32.sub (local.get $a) (i32.const 1))))
              (else
                (call $move2
                  (i32.add (local.get $px) (i32.shl (i32.add (i32.add (local.get $a) (local.get $i)) (i32.const 1)) (i32.const 3)))
                  (i32.add (local.get $px) (i32.shl (i32.add (local.get $a) (local.get $i)) (i32.const 3)))
                  (i32.shl (i32.sub (local.get $n) (local.get $i)) (i32.const 3)) (local.get $d))))
            (local.set $at (i32.shl (i32.add (local.get $a) (local.get $i)) (i32.const 3)))
            (f64.store (i32.add (local.get $px) (local.get $at)) (local.get $price))
            (f64.store (i32.add (local.get $qty) (local.get $at)) (local.get $size))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))

        ;; record the change: columns side, price, old, new, chStride bytes apart
        (local.set $row (i32.add (local.get $ch) (i32.shl (local.get $k) (i32.const 3))))
        (f64.store (local.get $row) (local.get $side))
        (local.set $row (i32.add (local.get $row) (local.get $chStride)))
        (f64.store (local.get $row) (local.get $price))
        (local.set $row (i32.add (local.get $row) (local.get $chStride)))
        (f64.store (local.get $row) (local.get $old))
        (local.set $row (i32.add (local.get $row) (local.get $chStride)))
        (f64.store (local.get $row) (local.get $size))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $level)))
    (i32.store (i32.const 0) (local.get $a))
    (i32.store (i32.const 4) (local.get $n))
    (i32.store (i32.const 8) (local.get $k))
    (i32.store (i32.const 12) (local.get $j))
    (local.get $status)))
