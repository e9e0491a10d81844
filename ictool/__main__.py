from ictool.cli import main

main()
