package main

import (
	"reflect"
	"testing"
)

func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		node, guard string
		flags, args []string
		want        []string
	}{
		{"/usr/bin/node", "/opt/gg/dist/gopls-guard.mjs", []string{"--max-semi-space-size=1"}, nil,
			[]string{"/usr/bin/node", "--max-semi-space-size=1", "/opt/gg/dist/gopls-guard.mjs"}},
		{`C:\Program Files\nodejs\node.exe`, `C:\Users\A B\AppData\Roaming\npm\node_modules\gopls-guard\dist\gopls-guard.mjs`, nil,
			[]string{"version", "-json"},
			[]string{`C:\Program Files\nodejs\node.exe`, `C:\Users\A B\AppData\Roaming\npm\node_modules\gopls-guard\dist\gopls-guard.mjs`, "version", "-json"}},
		{"/n", "/g", []string{"-a", "-b"}, []string{"-remote=auto", "a b"},
			[]string{"/n", "-a", "-b", "/g", "-remote=auto", "a b"}},
		// A single-file executable: it is node and the guard at once.
		{"/opt/gopls-guard-linux-x64", "", nil, []string{"version"},
			[]string{"/opt/gopls-guard-linux-x64", "version"}},
	} {
		if got := command(tc.node, tc.flags, tc.guard, tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("command(%q, %q, %q, %q) = %q, want %q", tc.node, tc.flags, tc.guard, tc.args, got, tc.want)
		}
	}
}
