# twin_configs.sh — sourced by scripts/bench.sh and bench/gpu.sh: the flags that give
# PyTorch's twin (torch_gpt.py) the same model as `gpt_step --config NAME`
# (bench/gpt_step.cpp, named_config). One table, so the two benchmarks cannot drift apart.
torch_args() {
    case "$1" in
        tiny) echo "--vocab 65 --block_size 64 --batch 12 --n_layer 4 --n_head 4 --n_embd 128" ;;
        small) echo "--vocab 512 --block_size 128 --batch 16 --n_layer 4 --n_head 4 --n_embd 256" ;;
        medium) echo "--vocab 65 --block_size 256 --batch 64 --n_layer 6 --n_head 6 --n_embd 384" ;;
    esac
}
