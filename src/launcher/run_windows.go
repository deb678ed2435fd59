//go:build windows

package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// run starts node with the same stdio and environment and exits with its exit code (Windows has
// no exec). Ctrl+C and Ctrl+Break reach node through the shared console; the launcher ignores
// them and waits for node to end. If the launcher is killed, the guard sees its parent die and
// ends its session (it watches its parent process).
func run(argv []string, env []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
	signal.Ignore(os.Interrupt)
	if err := cmd.Start(); err != nil {
		return err
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return err
	}
	os.Exit(cmd.ProcessState.ExitCode())
	return nil
}
