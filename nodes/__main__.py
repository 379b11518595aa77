from ipfed.nodes.cli import main

main()
