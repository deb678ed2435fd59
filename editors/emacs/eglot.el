;;; eglot.el --- run gopls-guard as Eglot's Go server  -*- lexical-binding: t -*-

;; Load it from your init file:  (load "/path/to/editors/emacs/eglot.el")
;; Works with Eglot 1.9+ (GNU ELPA / Debian elpa-eglot on Emacs 28) and the Eglot built into
;; Emacs 29+.  The settings apply when Eglot loads; this file does not load it.
;;
;; The command is $GOPLS_GUARD_CMD when set (one executable path), else "gopls-guard".  Extra gopls
;; flags go after it in the server program list below.  Environment for the guard: Eglot starts the
;; server with Emacs's own `process-environment', so use (setenv "GOPLS_GUARD_GOPLS_VERSION"
;; "v0.16.2") in your init file, or the guard's config file.

;; Under `emacs -Q' (site-lisp and package activation skipped) Debian's elpa-eglot is not on
;; `load-path': activate the system-wide ELPA directory, only when Eglot cannot be found otherwise.
(unless (locate-library "eglot")
  (require 'package)
  (dolist (dir '("/usr/share/emacs/site-lisp/elpa"))
    (when (file-directory-p dir)
      (add-to-list 'package-directory-list dir)))
  (if (fboundp 'package-activate-all)
      (package-activate-all)
    (package-initialize)))

(defvar gopls-guard-command
  (let ((cmd (getenv "GOPLS_GUARD_CMD")))
    (if (and cmd (> (length cmd) 0)) cmd "gopls-guard"))
  "The gopls-guard executable Eglot runs for Go buffers.")

(defvar gopls-guard-connect-timeout 300
  "Seconds Eglot waits for `initialize'.  A first run installs gopls meanwhile (a few minutes).")

(with-eval-after-load 'eglot
  ;; First match wins, so this entry goes in front of Eglot's own ("gopls") entry.
  (add-to-list 'eglot-server-programs
               `((go-mode go-ts-mode go-dot-mod-mode go-dot-work-mode go-mod-ts-mode)
                 . (,gopls-guard-command)))
  ;; eglot-connect-timeout: default 30; nil means no timeout, which is left alone.
  (when (and (numberp eglot-connect-timeout)
             (< eglot-connect-timeout gopls-guard-connect-timeout))
    (setq eglot-connect-timeout gopls-guard-connect-timeout)))

(defun gopls-guard-eglot-ensure ()
  "Start Eglot (and so gopls-guard) in this Go buffer, when Eglot is installed."
  (when (require 'eglot nil t)
    (eglot-ensure)))

(dolist (hook '(go-mode-hook go-ts-mode-hook go-dot-mod-mode-hook go-mod-ts-mode-hook))
  (add-hook hook #'gopls-guard-eglot-ensure))

;;; eglot.el ends here
