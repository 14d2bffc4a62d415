from yiju.cli import main

main()
