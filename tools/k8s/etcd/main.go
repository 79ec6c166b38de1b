// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 exactly
// as upstream's own main package does (etcd's root module main.go).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
