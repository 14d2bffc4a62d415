from yiju.cli import main

if __name__ == "__main__":  # a spawned worker process (laws import) imports this module: no second CLI
    main()
