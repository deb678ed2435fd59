;;; lsp-mode.el --- run gopls-guard as lsp-mode's gopls  -*- lexical-binding: t -*-

;; Load it from your init file:  (load "/path/to/editors/emacs/lsp-mode.el")
;; The command is $GOPLS_GUARD_CMD when set (one executable path), else "gopls-guard".
;; Environment for the guard: lsp-mode starts gopls with Emacs's own `process-environment', so use
;; (setenv "GOPLS_GUARD_GOPLS_VERSION" "v0.16.2") in your init file, or the guard's config file.
;; (`lsp-go-env' is not that: it becomes gopls's "env" setting, for the go commands gopls runs.)

(defvar gopls-guard-command
  (let ((cmd (getenv "GOPLS_GUARD_CMD")))
    (if (and cmd (> (length cmd) 0)) cmd "gopls-guard"))
  "The gopls-guard executable lsp-mode runs for Go buffers.")

;; lsp-mode starts only where it is told to: in every Go buffer (go-mode, or go-ts-mode on
;; Emacs 29+).  `lsp-deferred' waits until the buffer is visible.
(add-hook 'go-mode-hook #'lsp-deferred)
(add-hook 'go-ts-mode-hook #'lsp-deferred)

(with-eval-after-load 'lsp-go
  (setq lsp-go-gopls-server-path gopls-guard-command)
  ;; Extra gopls flags, e.g. '("-remote=auto").
  (setq lsp-go-gopls-server-args nil))

;; lsp-mode sends `initialize' asynchronously with no timeout, so a first run (minutes of
;; install) needs no setting.  `lsp-response-timeout' (default 10 s) bounds only synchronous
;; requests (formatting on save, `lsp-request'); raise it if those time out while gopls is busy:
;; (setq lsp-response-timeout 30)

;;; lsp-mode.el ends here
