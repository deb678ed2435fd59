//go:build !windows

package main

import "syscall"

// run replaces this process with node: same pid, stdio and signals, and node's exit code is
// the launcher's. Nothing sits in between. It returns only when exec failed.
func run(argv []string, env []string) error {
	return syscall.Exec(argv[0], argv, env)
}
