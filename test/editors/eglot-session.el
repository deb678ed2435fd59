;;; eglot-session.el --- drive gopls-guard through Eglot in `emacs --batch' -*- lexical-binding: t -*-
;; Loads the shipped editors/emacs/eglot.el, opens a Go file of a fixture module, and prints one
;; line of JSON: the diagnostics Eglot received, the hover text at `Greet', and every
;; window/showMessage.  Headless Eglot would ask the terminal for showMessageRequest answers, so
;; that handler is replaced.  Environment: GG_FILE (the .go file), GG_OUT (where the JSON goes).

(require 'cl-lib)
(require 'json)
(require 'eglot)

(unless (fboundp 'go-mode)
  (define-derived-mode go-mode prog-mode "Go"))

(defvar gg-diagnostics nil)
(defvar gg-messages nil)

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key uri diagnostics &allow-other-keys)
  (when (string-suffix-p "hello.go" uri)
    (setq gg-diagnostics (append diagnostics nil))))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/showMessage)) &key type message &allow-other-keys)
  (push (list :type type :message message) gg-messages))

(cl-defmethod eglot-handle-request
  (_server (_method (eql window/showMessageRequest)) &key type message &allow-other-keys)
  (push (list :type type :message message :request t) gg-messages)
  nil)

(defun gg-wait (pred seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (funcall pred)))

(defun gg-finish (hover)
  (with-temp-file (getenv "GG_OUT")
    ;; Vectors, so that json-encode writes arrays (a list of plists would read as an alist).
    (insert (json-encode (list :diagnostics (vconcat gg-diagnostics)
                               :hover (or hover "")
                               :messages (vconcat (reverse gg-messages))))))
  (kill-emacs 0))

(setq eglot-sync-connect t)
(find-file (getenv "GG_FILE"))
(go-mode)
(condition-case err
    (eglot-ensure)
  (error (push (list :type 0 :message (format "eglot: %S" err)) gg-messages)))
;; eglot-ensure connects from a hook once the command loop would run: run it now.  A server
;; that exits at once (a broken environment) makes that signal; what it said was captured.
(condition-case err
    (run-hooks 'post-command-hook)
  (error (push (list :type 0 :message (format "eglot: %S" err)) gg-messages)))
(gg-wait (lambda () (or (eglot-current-server) gg-messages)) 60)
(let ((server (eglot-current-server)) (hover nil))
  (when server
    ;; Diagnostics, or the guard's error (it answers initialize even when gopls cannot start).
    (gg-wait (lambda () (or gg-diagnostics (cl-some (lambda (m) (eql (plist-get m :type) 1)) gg-messages))) 60)
    (goto-char (point-min))
    (search-forward "return Greet(")
    (backward-char 3)
    (condition-case err
        (let ((h (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
          (setq hover (plist-get (plist-get h :contents) :value)))
      (jsonrpc-error (push (list :type 0 :message (format "hover: %S" err)) gg-messages)))
    (ignore-errors (eglot-shutdown server)))
  (unless server
    (gg-wait (lambda () (cl-some (lambda (m) (eql (plist-get m :type) 1)) gg-messages))
             (string-to-number (or (getenv "GG_ERROR_WAIT") "30"))))
  (gg-finish hover))
