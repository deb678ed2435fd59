;; JSON string content, sixteen bytes at a time (SIMD): where a run of it stops.
;; skip(from, end) reads linear memory [from, end) and returns the first index holding a quote,
;; a control character (below 0x20), or a backslash that does not begin a valid escape within
;; end; end itself when the whole range is valid content. The caller judges what it stopped at.
(module
  (memory (export "memory") 2)
  ;; At 65536: for each byte, 1 when a backslash before it is a whole escape (" \\ / b f n r t).
  (data (i32.const 65570) "\01")
  (data (i32.const 65583) "\01")
  (data (i32.const 65628) "\01")
  (data (i32.const 65634) "\01")
  (data (i32.const 65638) "\01")
  (data (i32.const 65646) "\01")
  (data (i32.const 65650) "\01")
  (data (i32.const 65652) "\01")

  (func $isHex (param $h i32) (result i32)
    (i32.or
      (i32.lt_u (i32.sub (local.get $h) (i32.const 48)) (i32.const 10))
      (i32.lt_u (i32.sub (i32.or (local.get $h) (i32.const 32)) (i32.const 97)) (i32.const 6))))

  ;; Just past the valid escape whose backslash is at $q, or $q when it is invalid or cut by $end.
  (func $escape (param $q i32) (param $end i32) (result i32)
    (local $e i32)
    (if (i32.ge_u (i32.add (local.get $q) (i32.const 1)) (local.get $end))
      (then (return (local.get $q))))
    (local.set $e (i32.load8_u offset=1 (local.get $q)))
    (if (i32.or
          (i32.or
            (i32.or (i32.eq (local.get $e) (i32.const 34)) (i32.eq (local.get $e) (i32.const 92)))
            (i32.or (i32.eq (local.get $e) (i32.const 47)) (i32.eq (local.get $e) (i32.const 98))))
          (i32.or
            (i32.or (i32.eq (local.get $e) (i32.const 102)) (i32.eq (local.get $e) (i32.const 110)))
            (i32.or (i32.eq (local.get $e) (i32.const 114)) (i32.eq (local.get $e) (i32.const 116)))))
      (then (return (i32.add (local.get $q) (i32.const 2)))))
    (if (i32.ne (local.get $e) (i32.const 117)) (then (return (local.get $q))))
    (if (i32.gt_u (i32.add (local.get $q) (i32.const 6)) (local.get $end))
      (then (return (local.get $q))))
    (if (i32.and
          (i32.and (call $isHex (i32.load8_u offset=2 (local.get $q)))
                   (call $isHex (i32.load8_u offset=3 (local.get $q))))
          (i32.and (call $isHex (i32.load8_u offset=4 (local.get $q)))
                   (call $isHex (i32.load8_u offset=5 (local.get $q)))))
      (then (return (i32.add (local.get $q) (i32.const 6)))))
    (local.get $q))

  (func (export "skip") (param $p i32) (param $end i32) (result i32)
    (local $m i32) (local $q i32) (local $r i32) (local $c i32) (local $next i32) (local $v v128)
    (block $tail
      (loop $blocks
        (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (local.set $m
          (i8x16.bitmask
            (v128.or
              (v128.or
                (i8x16.eq (local.get $v) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))
                (i8x16.eq (local.get $v) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92)))
              (i8x16.lt_u (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))))
        (local.set $next (i32.add (local.get $p) (i32.const 16)))
        ;; Each marked byte in turn: a backslash starts an escape, which is skipped (with its
        ;; marks: an escaped quote or backslash); anything else ends the run.
        (block $marks
          (loop $mark
            (br_if $marks (i32.eqz (local.get $m)))
            (local.set $q (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (if (i32.ne (i32.load8_u (local.get $q)) (i32.const 92)) (then (return (local.get $q))))
            (local.set $r (i32.add (local.get $q) (i32.const 2)))
            (if (i32.or (i32.gt_u (local.get $r) (local.get $end))
                        (i32.eqz (i32.load8_u offset=65536 (i32.load8_u offset=1 (local.get $q)))))
              (then
                (local.set $r (call $escape (local.get $q) (local.get $end)))
                (if (i32.eq (local.get $r) (local.get $q)) (then (return (local.get $q))))))
            (if (i32.gt_u (local.get $r) (local.get $next)) (then (local.set $next (local.get $r))))
            (local.set $m (i32.and (local.get $m)
              (i32.shl (i32.const -1) (i32.sub (local.get $r) (local.get $p)))))
            (br $mark)))
        (local.set $p (local.get $next))
        (br $blocks)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.lt_u (local.get $c) (i32.const 32)))
          (then (return (local.get $p))))
        (if (i32.eq (local.get $c) (i32.const 92))
          (then
            (local.set $q (call $escape (local.get $p) (local.get $end)))
            (if (i32.eq (local.get $q) (local.get $p)) (then (return (local.get $p))))
            (local.set $p (local.get $q))
            (br $bytes)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (local.get $p)))
