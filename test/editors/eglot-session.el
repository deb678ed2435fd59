;;; eglot-session.el --- drive gopls-guard through Eglot in `emacs --batch' -*- lexical-binding: t -*-
;; Loads the shipped editors/emacs/eglot.el, opens a Go file of a fixture module, and prints one
;; line of JSON: the diagnostics Eglot received, the hover text at `Greet', and every
;; window/showMessage.  Headless Eglot would ask the terminal for showMessageRequest answers, so
;; that handler is replaced.  Environment: GG_FILE (the .go file), GG_OUT (where the JSON goes).
;; With GG_ACTION: once the guard's fault is in Flymake, the cause is fixed (a symlink GG_FIX_LINK
;; to GG_FIX_SOURCE), the code action whose title contains GG_ACTION is picked through
;; `eglot-code-actions' as a user would, and gopls's own diagnostics are awaited; the Flymake
;; texts before and after go out as :flymake and :flymake_after.

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

(defvar gg-flymake nil)
(defvar gg-flymake-after nil)
(defvar gg-chosen nil)

(defun gg-flymake-texts ()
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(defun gg-finish (hover)
  (with-temp-file (getenv "GG_OUT")
    ;; Vectors, so that json-encode writes arrays (a list of plists would read as an alist).
    (insert (json-encode (list :diagnostics (vconcat gg-diagnostics)
                               :hover (or hover "")
                               :messages (vconcat (reverse gg-messages))
                               :flymake (vconcat gg-flymake)
                               :flymake_after (vconcat gg-flymake-after)
                               :chosen (or gg-chosen "")))))
  (kill-emacs 0))

(defun gg-act (server action)
  "The guard's fault in Flymake; the cause fixed; the code action picked by its title."
  (gg-wait (lambda () (cl-some (lambda (s) (string-match-p "gopls-guard\\|Retry" s)) (gg-flymake-texts))) 60)
  (setq gg-flymake (gg-flymake-texts))
  (let ((link (getenv "GG_FIX_LINK")) (source (getenv "GG_FIX_SOURCE")))
    (when (and link source) (make-symbolic-link source link)))
  (goto-char (point-min))
  ;; The menu Eglot shows, answered as a user picks: by the title.
  (cl-letf (((symbol-function 'completing-read)
             (lambda (_prompt items &rest _)
               (setq gg-chosen (cl-find-if (lambda (title) (string-match-p (regexp-quote action) title))
                                           (mapcar #'car items))))))
    (let ((last-nonmenu-event 13))
      (eglot-code-actions (point-min) (point-min) nil t)))
  (gg-wait (lambda ()
             (let ((texts (gg-flymake-texts)))
               (and (cl-some (lambda (s) (string-match-p "not an int" s)) texts)
                    (not (cl-some (lambda (s) (string-match-p "gopls-guard" s)) texts)))))
           60)
  (setq gg-flymake-after (gg-flymake-texts)))

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
(let ((server (eglot-current-server)) (hover nil) (action (getenv "GG_ACTION")))
  (when (and server action)
    (gg-act server action)
    (gg-finish nil))
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
