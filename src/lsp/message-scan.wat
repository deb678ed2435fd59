;; One LSP message body checked as JSON, and where its routing facts are, in one pass over its
;; bytes: what scan.ts's BodyScan does, as a small loop that runs compiled from the first message
;; (WebAssembly is compiled when it is instantiated) and touches little memory between messages.
;;
;; scan(len) reads the body at [0, len) and returns 1 when it is a JSON object (RFC 8259) whose
;; top-level "id" and "method" are each given at most once, neither as an object or array, nor
;; longer than 4096 bytes, and no top-level key has an escape; 0 otherwise, for anything it
;; refuses or does not settle: the caller then asks the byte scanner, which decides and says why.
;; Bytes from 0x80 up are accepted inside strings and noted (NON_ASCII): the caller checks UTF-8.
;;
;; What it found is written at RESULT (little-endian i32 each, then an f64):
;;   +0 id start, +4 id end (-1 when there is no id), +8 id kind (ID_*),
;;   +12 method start, +16 method end (-1 when none), +20 method has an escape (1) or not,
;;   +24 a top-level "error" key (1) or not, +28 any byte from 0x80 up (1) or not,
;;   +32 the id's value as an f64 when its kind is ID_INTEGER.
(module
  (memory (export "memory") 2)

  ;; The body is read from 0; the open brackets from STACK; the results at RESULT.
  (global $STACK i32 (i32.const 65536))
  (global $RESULT i32 (i32.const 67072))
  (global $MAX_DEPTH i32 (i32.const 512))
  (global $MAX_CAPTURE i32 (i32.const 4096))

  ;; Id kinds. ID_OTHER: a string with an escape or any byte from 0x80 up, a fraction, an
  ;; exponent, a long integer, null, true or false: the caller reads the text.
  (global $ID_INTEGER i32 (i32.const 1))
  (global $ID_ASCII_STRING i32 (i32.const 2))
  (global $ID_OTHER i32 (i32.const 3))

  ;; Set by $string for the string it last read.
  (global $escaped (mut i32) (i32.const 0))
  (global $high (mut i32) (i32.const 0))
  (global $nonAscii (mut i32) (i32.const 0))

  (func $isSpace (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
      (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09)))))

  (func $isDigit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))

  (func $isHex (param $c i32) (result i32)
    (i32.or
      (call $isDigit (local.get $c))
      (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 6))))

  ;; The first index from $i on that is not white space (or $end).
  (func $skipSpace (param $i i32) (param $end i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.eqz (call $isSpace (i32.load8_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; The string whose opening quote is at $i: the index just past its closing quote, or -1.
  (func $string (param $i i32) (param $end i32) (result i32)
    (local $c i32) (local $e i32)
    (global.set $escaped (i32.const 0))
    (global.set $high (i32.const 0))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (loop $next
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $c) (i32.const 0x22))
        (then (return (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 0x20)) (then (return (i32.const -1))))
      (if (i32.ge_u (local.get $c) (i32.const 0x80))
        (then
          (global.set $high (i32.const 1))
          (global.set $nonAscii (i32.const 1))))
      (if (i32.eq (local.get $c) (i32.const 0x5c))
        (then
          (global.set $escaped (i32.const 1))
          (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end))
            (then (return (i32.const -1))))
          (local.set $e (i32.load8_u offset=1 (local.get $i)))
          (if (i32.eq (local.get $e) (i32.const 0x75))
            (then
              (if (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $end))
                (then (return (i32.const -1))))
              (if (i32.eqz
                    (i32.and
                      (i32.and (call $isHex (i32.load8_u offset=2 (local.get $i)))
                               (call $isHex (i32.load8_u offset=3 (local.get $i))))
                      (i32.and (call $isHex (i32.load8_u offset=4 (local.get $i)))
                               (call $isHex (i32.load8_u offset=5 (local.get $i))))))
                (then (return (i32.const -1))))
              (local.set $i (i32.add (local.get $i) (i32.const 6)))
              (br $next)))
          (if (i32.eqz
                (i32.or
                  (i32.or
                    (i32.or (i32.eq (local.get $e) (i32.const 0x22)) (i32.eq (local.get $e) (i32.const 0x5c)))
                    (i32.or (i32.eq (local.get $e) (i32.const 0x2f)) (i32.eq (local.get $e) (i32.const 0x62))))
                  (i32.or
                    (i32.or (i32.eq (local.get $e) (i32.const 0x66)) (i32.eq (local.get $e) (i32.const 0x6e)))
                    (i32.or (i32.eq (local.get $e) (i32.const 0x72)) (i32.eq (local.get $e) (i32.const 0x74))))))
            (then (return (i32.const -1))))
          (local.set $i (i32.add (local.get $i) (i32.const 2)))
          (br $next)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))
    (i32.const -1))

  ;; The digits from $i on: the index of the first byte that is not one.
  (func $digits (param $i i32) (param $end i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.eqz (call $isDigit (i32.load8_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; The number that starts at $i: the index just past it, or -1.
  ;; -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  (func $number (param $i i32) (param $end i32) (result i32)
    (local $j i32)
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d))
      (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
    (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x30))
      (then (local.set $i (i32.add (local.get $i) (i32.const 1))))
      (else
        (local.set $j (call $digits (local.get $i) (local.get $end)))
        (if (i32.eq (local.get $j) (local.get $i)) (then (return (i32.const -1))))
        (local.set $i (local.get $j))))
    (if (i32.and (i32.lt_u (local.get $i) (local.get $end))
                 (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e)))
      (then
        (local.set $j (call $digits (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
        (if (i32.eq (local.get $j) (i32.add (local.get $i) (i32.const 1)))
          (then (return (i32.const -1))))
        (local.set $i (local.get $j))))
    (if (i32.and (i32.lt_u (local.get $i) (local.get $end))
                 (i32.eq (i32.or (i32.load8_u (local.get $i)) (i32.const 0x20)) (i32.const 0x65)))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.and (i32.lt_u (local.get $i) (local.get $end))
                     (i32.or (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2b))
                             (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d))))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (local.set $j (call $digits (local.get $i) (local.get $end)))
        (if (i32.eq (local.get $j) (local.get $i)) (then (return (i32.const -1))))
        (local.set $i (local.get $j))))
    (local.get $i))

  ;; The literal true, false or null at $i: the index just past it, or -1.
  (func $literal (param $i i32) (param $end i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u (local.get $i)))
    (if (i32.eq (local.get $c) (i32.const 0x66))
      (then
        (if (i32.gt_u (i32.add (local.get $i) (i32.const 5)) (local.get $end))
          (then (return (i32.const -1))))
        ;; "alse" after the f
        (if (i32.ne (i32.load offset=1 align=1 (local.get $i)) (i32.const 0x65736c61))
          (then (return (i32.const -1))))
        (return (i32.add (local.get $i) (i32.const 5)))))
    (if (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $end))
      (then (return (i32.const -1))))
    ;; "true" or "null", as one little-endian word
    (if (i32.eq (local.get $c) (i32.const 0x74))
      (then
        (if (i32.ne (i32.load align=1 (local.get $i)) (i32.const 0x65757274))
          (then (return (i32.const -1))))
        (return (i32.add (local.get $i) (i32.const 4)))))
    (if (i32.ne (i32.load align=1 (local.get $i)) (i32.const 0x6c6c756e))
      (then (return (i32.const -1))))
    (i32.add (local.get $i) (i32.const 4)))

  ;; The value of the integer in [$i, $end) (digits, an optional minus first), as an f64.
  (func $integer (param $i i32) (param $end i32) (result f64)
    (local $negative i32) (local $n i64)
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d))
      (then
        (local.set $negative (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $n
          (i64.add
            (i64.mul (local.get $n) (i64.const 10))
            (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (result f64) (local.get $negative)
      (then (f64.neg (f64.convert_i64_u (local.get $n))))
      (else (f64.convert_i64_u (local.get $n)))))

  ;; Whether [$i, $end) is an integer of at most 15 digits (no fraction, no exponent).
  (func $isShortInteger (param $i i32) (param $end i32) (result i32)
    (local $digitsAt i32)
    (local.set $digitsAt
      (i32.add (local.get $i) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d))))
    (i32.and
      (i32.eq (call $digits (local.get $digitsAt) (local.get $end)) (local.get $end))
      (i32.le_u (i32.sub (local.get $end) (local.get $digitsAt)) (i32.const 15))))

  (func (export "scan") (param $len i32) (result i32)
    (local $i i32) (local $c i32) (local $depth i32) (local $end i32) (local $start i32)
    ;; What the next token must be: 0 a value, 1 a value or ']', 2 a key or '}', 3 a key,
    ;; 4 ',' or the bracket that closes.
    (local $expect i32)
    ;; The top-level key whose value comes next: 0 another, 1 "id", 2 "method".
    (local $key i32)
    (local $idSeen i32) (local $methodSeen i32)
    (i32.store offset=0 (global.get $RESULT) (i32.const -1))
    (i32.store offset=4 (global.get $RESULT) (i32.const -1))
    (i32.store offset=8 (global.get $RESULT) (i32.const 0))
    (i32.store offset=12 (global.get $RESULT) (i32.const -1))
    (i32.store offset=16 (global.get $RESULT) (i32.const -1))
    (i32.store offset=20 (global.get $RESULT) (i32.const 0))
    (i32.store offset=24 (global.get $RESULT) (i32.const 0))
    (global.set $nonAscii (i32.const 0))
    ;; The message: an object, alone.
    (local.set $i (call $skipSpace (i32.const 0) (local.get $len)))
    (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x7b)) (then (return (i32.const 0))))
    (local.set $depth (i32.const 1))
    (i32.store8 offset=1 (global.get $STACK) (i32.const 0x7b))
    (local.set $expect (i32.const 2))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (loop $token
      (local.set $i (call $skipSpace (local.get $i) (local.get $len)))
      (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $i)))
      ;; After '[' or '{': the bracket that closes it at once, or the first element.
      (if (i32.or (i32.and (i32.eq (local.get $expect) (i32.const 1)) (i32.eq (local.get $c) (i32.const 0x5d)))
                  (i32.and (i32.eq (local.get $expect) (i32.const 2)) (i32.eq (local.get $c) (i32.const 0x7d))))
        (then
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eqz (local.get $depth))
            (then (return (i32.eq (call $skipSpace (local.get $i) (local.get $len)) (local.get $len)))))
          (local.set $expect (i32.const 4))
          (br $token)))
      (if (i32.eq (local.get $expect) (i32.const 1)) (then (local.set $expect (i32.const 0))))
      (if (i32.eq (local.get $expect) (i32.const 2)) (then (local.set $expect (i32.const 3))))
      ;; A key, then ':'.
      (if (i32.eq (local.get $expect) (i32.const 3))
        (then
          (if (i32.ne (local.get $c) (i32.const 0x22)) (then (return (i32.const 0))))
          (local.set $end (call $string (local.get $i) (local.get $len)))
          (if (i32.lt_s (local.get $end) (i32.const 0)) (then (return (i32.const 0))))
          (if (i32.eq (local.get $depth) (i32.const 1))
            (then
              ;; Escaped top-level keys are the byte scanner's to read.
              (if (global.get $escaped) (then (return (i32.const 0))))
              (local.set $key (i32.const 0))
              ;; "id"
              (if (i32.and (i32.eq (i32.sub (local.get $end) (local.get $i)) (i32.const 4))
                           (i32.eq (i32.load16_u offset=1 align=1 (local.get $i)) (i32.const 0x6469)))
                (then
                  (if (local.get $idSeen) (then (return (i32.const 0))))
                  (local.set $idSeen (i32.const 1))
                  (local.set $key (i32.const 1))))
              ;; "method": "meth" and "od"
              (if (i32.and (i32.eq (i32.sub (local.get $end) (local.get $i)) (i32.const 8))
                           (i32.and (i32.eq (i32.load offset=1 align=1 (local.get $i)) (i32.const 0x6874656d))
                                    (i32.eq (i32.load16_u offset=5 align=1 (local.get $i)) (i32.const 0x646f))))
                (then
                  (if (local.get $methodSeen) (then (return (i32.const 0))))
                  (local.set $methodSeen (i32.const 1))
                  (local.set $key (i32.const 2))))
              ;; "error": "erro" and "r"
              (if (i32.and (i32.eq (i32.sub (local.get $end) (local.get $i)) (i32.const 7))
                           (i32.and (i32.eq (i32.load offset=1 align=1 (local.get $i)) (i32.const 0x6f727265))
                                    (i32.eq (i32.load8_u offset=5 (local.get $i)) (i32.const 0x72))))
                (then (i32.store offset=24 (global.get $RESULT) (i32.const 1))))))
          (local.set $i (call $skipSpace (local.get $end) (local.get $len)))
          (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 0))))
          (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x3a)) (then (return (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $expect (i32.const 0))
          (br $token)))
      ;; A value.
      (if (i32.eqz (local.get $expect))
        (then
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
            (then
              (if (i32.and (i32.eq (local.get $depth) (i32.const 1)) (i32.ne (local.get $key) (i32.const 0)))
                (then (return (i32.const 0))))
              (if (i32.ge_u (local.get $depth) (global.get $MAX_DEPTH)) (then (return (i32.const 0))))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (i32.store8 (i32.add (global.get $STACK) (local.get $depth)) (local.get $c))
              (local.set $expect (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 0x7b))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $token)))
          (local.set $start (local.get $i))
          (global.set $escaped (i32.const 0))
          (global.set $high (i32.const 0))
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then (local.set $end (call $string (local.get $i) (local.get $len))))
            (else
              (if (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (call $isDigit (local.get $c)))
                (then (local.set $end (call $number (local.get $i) (local.get $len))))
                (else
                  (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x74)) (i32.eq (local.get $c) (i32.const 0x66)))
                              (i32.eq (local.get $c) (i32.const 0x6e)))
                    (then (local.set $end (call $literal (local.get $i) (local.get $len))))
                    (else (return (i32.const 0))))))))
          (if (i32.lt_s (local.get $end) (i32.const 0)) (then (return (i32.const 0))))
          (if (i32.and (i32.eq (local.get $depth) (i32.const 1)) (i32.ne (local.get $key) (i32.const 0)))
            (then
              (if (i32.gt_u (i32.sub (local.get $end) (local.get $start)) (global.get $MAX_CAPTURE))
                (then (return (i32.const 0))))
              (if (i32.eq (local.get $key) (i32.const 1))
                (then
                  (i32.store offset=0 (global.get $RESULT) (local.get $start))
                  (i32.store offset=4 (global.get $RESULT) (local.get $end))
                  (if (i32.eq (local.get $c) (i32.const 0x22))
                    (then
                      (i32.store offset=8 (global.get $RESULT)
                        (select (global.get $ID_OTHER) (global.get $ID_ASCII_STRING)
                                (i32.or (global.get $escaped) (global.get $high)))))
                    (else
                      (if (i32.and (i32.ne (local.get $c) (i32.const 0x74))
                                   (i32.and (i32.ne (local.get $c) (i32.const 0x66)) (i32.ne (local.get $c) (i32.const 0x6e))))
                        (then
                          (if (call $isShortInteger (local.get $start) (local.get $end))
                            (then
                              (i32.store offset=8 (global.get $RESULT) (global.get $ID_INTEGER))
                              (f64.store offset=32 (global.get $RESULT)
                                (call $integer (local.get $start) (local.get $end))))
                            (else (i32.store offset=8 (global.get $RESULT) (global.get $ID_OTHER)))))
                        (else (i32.store offset=8 (global.get $RESULT) (global.get $ID_OTHER)))))))
                (else
                  (i32.store offset=12 (global.get $RESULT) (local.get $start))
                  (i32.store offset=16 (global.get $RESULT) (local.get $end))
                  (i32.store offset=20 (global.get $RESULT)
                    (i32.or (i32.or (global.get $escaped) (global.get $high))
                            (i32.ne (local.get $c) (i32.const 0x22))))))))
          (local.set $i (local.get $end))
          (local.set $expect (i32.const 4))
          (br $token)))
      ;; After a value: ',' or the bracket that closes.
      (if (i32.eq (local.get $c) (i32.const 0x2c))
        (then
          (local.set $expect
            (select (i32.const 3) (i32.const 0)
                    (i32.eq (i32.load8_u (i32.add (global.get $STACK) (local.get $depth))) (i32.const 0x7b))))
          (if (i32.eq (local.get $depth) (i32.const 1)) (then (local.set $key (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $token)))
      (if (i32.ne (local.get $c)
                  (i32.add (i32.load8_u (i32.add (global.get $STACK) (local.get $depth))) (i32.const 2)))
        (then (return (i32.const 0))))
      (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eqz (local.get $depth))
        (then (return (i32.eq (call $skipSpace (local.get $i) (local.get $len)) (local.get $len)))))
      (br $token))
    (i32.const 0))

  ;; Whether the last scan saw a byte from 0x80 up (the caller checks UTF-8 then).
  (func (export "nonAscii") (result i32) (global.get $nonAscii))
)
