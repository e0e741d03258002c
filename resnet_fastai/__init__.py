"""Learn how a ResNet works by building one: residual blocks, ResNet-18 to 152 and CIFAR ResNets from scratch in PyTorch, proved against torchvision and trained with fastai

Modules:

- `resnet_fastai.cifar_fast`: A residual network shaped for speed, the whole of CIFAR-10 held in memory, and a recipe built from the fast-training literature: how close two CPU cores get to 94 % test accuracy in ten minutes, measured and named by detection."""

__version__ = "0.0.1"
