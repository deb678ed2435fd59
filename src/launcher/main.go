// The gopls VS Code's Go extension accepts: a Go program, built with the local Go by
// `gopls-guard link`, that runs the guard with the same arguments, stdio, environment and exit
// code. Its build info lets `go version -m` report the local Go, so the extension does not ask
// to recompile it. The guard's paths are in config.go, written beside this file at link time.
package main

import (
	"fmt"
	"os"
)

// launcherEnv tells the guard which launcher started it, so it never runs that launcher as gopls.
const launcherEnv = "GOPLS_GUARD_LAUNCHER"

func main() {
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	argv := command(node, nodeFlags, guard, os.Args[1:])
	env := append(os.Environ(), launcherEnv+"="+self)
	if err := run(argv, env); err != nil {
		fmt.Fprintf(os.Stderr, "gopls (the gopls-guard launcher %s): cannot run %q: %v\nRun `gopls-guard link` again.\n", self, argv, err)
		os.Exit(127)
	}
}

// command is node's argv: node, its flags (from the guard's shebang), the guard, the arguments.
// No guard: node is the guard, a single-file executable (npm run dist), given the arguments.
func command(node string, flags []string, guard string, args []string) []string {
	argv := make([]string, 0, 2+len(flags)+len(args))
	argv = append(argv, node)
	argv = append(argv, flags...)
	if guard != "" {
		argv = append(argv, guard)
	}
	return append(argv, args...)
}
