// Go's net.Interfaces and Addrs, as Go programs list their interfaces
// (through NETLINK_ROUTE dumps): test/netlink.test.js builds it with
// Debian's Go and runs it natively in a fresh namespace and under tsvisor.
package main

import (
	"fmt"
	"net"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("error", err)
		return
	}
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		fmt.Println(i.Index, i.Name, i.MTU, i.Flags, addrs)
	}
}
